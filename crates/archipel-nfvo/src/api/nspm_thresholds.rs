//! `/nspm/v1/thresholds`: NS performance management's thresholds.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{CallbackModifications, CreateThresholdRequest, ThresholdInfo};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use crate::Nfvo;

/// Makes a threshold on one metric of one NS instance: each crossing is notified to the
/// callback (ThresholdCrossedNotification, UP or DOWN). The callback is tested first: a GET
/// must answer 204, else 422.
#[utoipa::path(
    post,
    operation_id = "createThreshold",
    path = "/nspm/v1/thresholds",
    tag = "nspm",
    request_body = CreateThresholdRequest,
    responses(
        (status = 201, description = "created", body = ThresholdInfo,
         headers(("Location" = String, description = "the threshold's URL"))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<CreateThresholdRequest>,
) -> Result<Response, ApiError> {
    let body = ThresholdInfo::from(nfvo.create_threshold(request.into()).await?);
    let location = body.links.self_link.href.clone();
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

#[utoipa::path(
    get,
    operation_id = "listThresholds",
    path = "/nspm/v1/thresholds",
    tag = "nspm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the thresholds, oldest first: a page, filtered and selected as asked",
         body = [ThresholdInfo], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let items: Vec<ThresholdInfo> = nfvo.thresholds()?.into_iter().map(Into::into).collect();
    collection::answer(&items, &request, collection::THRESHOLDS, nfvo.config().page_size)
}

#[utoipa::path(
    get,
    operation_id = "getThreshold",
    path = "/nspm/v1/thresholds/{id}",
    tag = "nspm",
    params(("id" = String, Path, description = "the threshold's id")),
    responses((status = 200, description = "the threshold", body = ThresholdInfo), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<ThresholdInfo>, ApiError> {
    Ok(Json(nfvo.threshold(&id)?.into()))
}

/// Points the threshold's notifications at another callback, tested first (422 when it
/// fails).
#[utoipa::path(
    patch,
    operation_id = "modifyThreshold",
    path = "/nspm/v1/thresholds/{id}",
    tag = "nspm",
    params(("id" = String, Path, description = "the threshold's id")),
    request_body(content = CallbackModifications, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "changed: what was asked", body = CallbackModifications),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn modify(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<CallbackModifications>,
) -> Result<Json<CallbackModifications>, ApiError> {
    nfvo.modify_threshold(&id, request.callback_uri.clone()).await?;
    Ok(Json(request))
}

#[utoipa::path(
    delete,
    operation_id = "deleteThreshold",
    path = "/nspm/v1/thresholds/{id}",
    tag = "nspm",
    params(("id" = String, Path, description = "the threshold's id")),
    responses((status = 204, description = "deleted"), (status = 404, response = NotFound))
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.delete_threshold(&id)?;
    Ok(StatusCode::NO_CONTENT)
}
