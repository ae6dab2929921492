//! `/nsd/v1/ns_descriptors`: the catalogue.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::dto::NsdInfo;
use super::extract::{require_json, RawBody};
use super::problem::ApiError;
use super::responses::{BadRequest, Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType};
use crate::Nfvo;

/// Onboards an NSD written in Open Baton's JSON (the thesis's Appendix C onboards unchanged).
/// A refused NSD answers 400 with the `path` of the offending value, and nothing is stored.
#[utoipa::path(
    post,
    operation_id = "onboardNsd",
    path = "/nsd/v1/ns_descriptors",
    tag = "nsd",
    request_body(content = Object, content_type = "application/json", description = "an Open Baton NSD"),
    responses(
        (status = 201, description = "onboarded", body = NsdInfo,
         headers(("Location" = String, description = "the new NSD's URL"))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn onboard(
    State(nfvo): State<Nfvo>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let record = nfvo.onboard_nsd(&body)?;
    let info = NsdInfo::from(nfvo.nsd(&record.id)?);
    let location = info.links.self_link.href.clone();
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(info)).into_response())
}

/// Every onboarded NSD.
#[utoipa::path(
    get,
    operation_id = "listNsds",
    path = "/nsd/v1/ns_descriptors",
    tag = "nsd",
    responses((status = 200, description = "the NSDs, oldest first", body = [NsdInfo]))
)]
pub async fn list(State(nfvo): State<Nfvo>) -> Result<Json<Vec<NsdInfo>>, ApiError> {
    Ok(Json(nfvo.nsds()?.into_iter().map(NsdInfo::from).collect()))
}

#[utoipa::path(
    get,
    operation_id = "getNsd",
    path = "/nsd/v1/ns_descriptors/{id}",
    tag = "nsd",
    params(("id" = String, Path, description = "the NSD's id")),
    responses((status = 200, description = "the NSD", body = NsdInfo), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<NsdInfo>, ApiError> {
    Ok(Json(NsdInfo::from(nfvo.nsd(&id)?)))
}

/// The NSD exactly as it was posted.
#[utoipa::path(
    get,
    operation_id = "getNsdContent",
    path = "/nsd/v1/ns_descriptors/{id}/nsd_content",
    tag = "nsd",
    params(("id" = String, Path, description = "the NSD's id")),
    responses(
        (status = 200, description = "the document as posted (Open Baton JSON, which may hold trailing commas)",
         body = Object, content_type = "application/json"),
        (status = 404, response = NotFound),
    )
)]
pub async fn content(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = nfvo.nsd(&id)?.record;
    Ok(([(header::CONTENT_TYPE, "application/json")], record.content).into_response())
}

/// Deletes an NSD that no network service uses.
#[utoipa::path(
    delete,
    operation_id = "deleteNsd",
    path = "/nsd/v1/ns_descriptors/{id}",
    tag = "nsd",
    params(("id" = String, Path, description = "the NSD's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.delete_nsd(&id)?;
    Ok(StatusCode::NO_CONTENT)
}
