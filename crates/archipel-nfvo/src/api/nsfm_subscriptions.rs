//! `/nsfm/v1/subscriptions`: SOL005 subscriptions to fault management notifications (an alarm
//! raised, an alarm cleared).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{FmSubscription, FmSubscriptionRequest};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::subscriptions::{listed, shown, subscribe};
use crate::model::SubscriptionApi;
use crate::Nfvo;

const NSFM: SubscriptionApi = SubscriptionApi::Nsfm;

/// Subscribes a callback to alarm notifications, once it answered the test (a GET answered
/// 204, else 422); they are delivered as the lifecycle ones are.
#[utoipa::path(
    post,
    operation_id = "createFmSubscription",
    path = "/nsfm/v1/subscriptions",
    tag = "nsfm",
    request_body = FmSubscriptionRequest,
    responses(
        (status = 201, description = "subscribed", body = FmSubscription,
         headers(("Location" = String, description = "the subscription's URL"))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<FmSubscriptionRequest>,
) -> Result<Response, ApiError> {
    let filter = request.filter.into();
    subscribe::<FmSubscription>(&nfvo, NSFM, request.callback_uri, filter).await
}

#[utoipa::path(
    get,
    operation_id = "listFmSubscriptions",
    path = "/nsfm/v1/subscriptions",
    tag = "nsfm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the alarm subscriptions, oldest first: a page, filtered and selected as asked",
         body = [FmSubscription], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    listed::<FmSubscription>(&nfvo, NSFM, &request, collection::FM_SUBSCRIPTIONS)
}

#[utoipa::path(
    get,
    operation_id = "getFmSubscription",
    path = "/nsfm/v1/subscriptions/{id}",
    tag = "nsfm",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 200, description = "the subscription", body = FmSubscription), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<FmSubscription>, ApiError> {
    shown(&nfvo, NSFM, &id)
}

/// Ends an alarm subscription; notifications still queued for it are dropped.
#[utoipa::path(
    delete,
    operation_id = "deleteFmSubscription",
    path = "/nsfm/v1/subscriptions/{id}",
    tag = "nsfm",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 204, description = "deleted"), (status = 404, response = NotFound))
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.unsubscribe(NSFM, &id)?;
    Ok(StatusCode::NO_CONTENT)
}
