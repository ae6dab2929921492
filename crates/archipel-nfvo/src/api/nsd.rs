//! `/nsd/v1/ns_descriptors`: the catalogue.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{CreateNsdInfoRequest, NsdInfo, NsdInfoModifications, OperationalState};
use super::extract::{json_text, require_json, JsonBody, RawBody};
use super::problem::ApiError;
use super::responses::{
    BadRequest, Conflict, NotFound, PayloadTooLarge, PreconditionFailed, UnsupportedMediaType,
};
use crate::engine::{NsdChange, NsdView};
use crate::Nfvo;

/// Onboards an NSD written in Open Baton's JSON (the thesis's Appendix C onboards unchanged),
/// ENABLED at once; or, with SOL005's `CreateNsdInfoRequest` (`{}` or
/// `{"userDefinedData": …}`), makes an empty NSD (CREATED, DISABLED) to be given its document by
/// `PUT …/nsd_content`. A refused NSD answers 400 with the `path` of the offending value, and
/// nothing is stored.
#[utoipa::path(
    post,
    operation_id = "onboardNsd",
    path = "/nsd/v1/ns_descriptors",
    tag = "nsd",
    request_body(content = Object, content_type = "application/json",
                 description = "an Open Baton NSD, or SOL005's CreateNsdInfoRequest"),
    responses(
        (status = 201, description = "onboarded, or made empty", body = NsdInfo,
         headers(("Location" = String, description = "the new NSD's URL"),
                 ("ETag" = String, description = "the NSD's version, for PATCH's If-Match"))),
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
    let text = json_text(&body);
    if text.is_empty() {
        let detail = "give an NSD, or {} (SOL005's CreateNsdInfoRequest) to make an empty one";
        return Err(ApiError::bad_request(detail));
    }
    require_json(&headers)?;
    let create = match text {
        [b'{', ..] => serde_json::from_slice::<CreateNsdInfoRequest>(text).ok(),
        _ => None,
    };
    let record = match create {
        Some(request) => nfvo.create_nsd(request.user_defined_data)?,
        None => nfvo.onboard_nsd(&body)?,
    };
    let view = nfvo.nsd(&record.id)?;
    let etag = etag(&view);
    let info = NsdInfo::new(view, &package_ids(&nfvo)?);
    let location = info.links.self_link.href.clone();
    let headers = [(header::LOCATION, HeaderValue::try_from(location).expect("ASCII")), etag];
    Ok((StatusCode::CREATED, headers, Json(info)).into_response())
}

/// Every NSD.
#[utoipa::path(
    get,
    operation_id = "listNsds",
    path = "/nsd/v1/ns_descriptors",
    tag = "nsd",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the NSDs, oldest first: a page, filtered and selected as asked",
         body = [NsdInfo], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let packages = package_ids(&nfvo)?;
    let items: Vec<NsdInfo> =
        nfvo.nsds()?.into_iter().map(|view| NsdInfo::new(view, &packages)).collect();
    collection::answer(&items, &request, collection::NSDS, nfvo.config().page_size)
}

#[utoipa::path(
    get,
    operation_id = "getNsd",
    path = "/nsd/v1/ns_descriptors/{id}",
    tag = "nsd",
    params(("id" = String, Path, description = "the NSD's id")),
    responses(
        (status = 200, description = "the NSD", body = NsdInfo,
         headers(("ETag" = String, description = "the NSD's version, for PATCH's If-Match"))),
        (status = 404, response = NotFound),
    )
)]
pub async fn show(State(nfvo): State<Nfvo>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let view = nfvo.nsd(&id)?;
    let etag = etag(&view);
    Ok(([etag], Json(NsdInfo::new(view, &package_ids(&nfvo)?))).into_response())
}

/// Enables or disables an NSD, or changes its `userDefinedData` (a JSON merge patch). With
/// `If-Match`, refused (412) when the NSD changed since that ETag was read; setting the state
/// it is in, or enabling an NSD without a document, is a conflict (409).
#[utoipa::path(
    patch,
    operation_id = "modifyNsd",
    path = "/nsd/v1/ns_descriptors/{id}",
    tag = "nsd",
    params(
        ("id" = String, Path, description = "the NSD's id"),
        ("If-Match" = Option<String>, Header, description = "the ETag the change is made against"),
    ),
    request_body(content = NsdInfoModifications, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "changed: what was asked", body = NsdInfoModifications,
         headers(("ETag" = String, description = "the NSD's new version"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn modify(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<NsdInfoModifications>,
) -> Result<Response, ApiError> {
    if request == NsdInfoModifications::default() {
        let detail = "nothing to change: give nsdOperationalState, userDefinedData, or both";
        return Err(ApiError::bad_request(detail));
    }
    let if_match = headers.get(header::IF_MATCH).map(|v| v.to_str().unwrap_or_default());
    let change = NsdChange {
        enabled: request.nsd_operational_state.map(|s| s == OperationalState::Enabled),
        user_data: request.user_defined_data.clone(),
    };
    let view = nfvo.modify_nsd(&id, &change, if_match)?;
    Ok(([etag(&view)], Json(request)).into_response())
}

/// Deletes a DISABLED NSD that no network service uses.
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

fn etag(view: &NsdView) -> (HeaderName, HeaderValue) {
    (header::ETAG, HeaderValue::try_from(view.etag()).expect("ASCII"))
}

/// The ids of the uploaded VNF packages, which an NsdInfo lists when its VNFDs name them.
pub(super) fn package_ids(nfvo: &Nfvo) -> Result<Vec<String>, ApiError> {
    Ok(nfvo.packages()?.into_iter().map(|p| p.id).collect())
}
