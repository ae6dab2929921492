//! `/nsd/v1/subscriptions`: SOL005 subscriptions to NSD management notifications (an NSD
//! onboarded, its onboarding failed, its operational state changed, it was deleted).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{NsdmSubscription, NsdmSubscriptionRequest};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::subscriptions::{listed, shown, subscribe};
use crate::model::SubscriptionApi;
use crate::Nfvo;

const NSD: SubscriptionApi = SubscriptionApi::Nsd;

/// Subscribes a callback to NSD notifications, once it answered the test (a GET answered 204,
/// else 422); they are delivered as the lifecycle ones are.
#[utoipa::path(
    post,
    operation_id = "createNsdSubscription",
    path = "/nsd/v1/subscriptions",
    tag = "nsd",
    request_body = NsdmSubscriptionRequest,
    responses(
        (status = 201, description = "subscribed", body = NsdmSubscription,
         headers(("Location" = String, description = "the subscription's URL"))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<NsdmSubscriptionRequest>,
) -> Result<Response, ApiError> {
    let filter = request.filter.into();
    subscribe::<NsdmSubscription>(&nfvo, NSD, request.callback_uri, filter).await
}

#[utoipa::path(
    get,
    operation_id = "listNsdSubscriptions",
    path = "/nsd/v1/subscriptions",
    tag = "nsd",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the NSD subscriptions, oldest first: a page, filtered and selected as asked",
         body = [NsdmSubscription], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    listed::<NsdmSubscription>(&nfvo, NSD, &request, collection::NSD_SUBSCRIPTIONS)
}

#[utoipa::path(
    get,
    operation_id = "getNsdSubscription",
    path = "/nsd/v1/subscriptions/{id}",
    tag = "nsd",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 200, description = "the subscription", body = NsdmSubscription), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<NsdmSubscription>, ApiError> {
    shown(&nfvo, NSD, &id)
}

/// Ends an NSD subscription; notifications still queued for it are dropped.
#[utoipa::path(
    delete,
    operation_id = "deleteNsdSubscription",
    path = "/nsd/v1/subscriptions/{id}",
    tag = "nsd",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 204, description = "deleted"), (status = 404, response = NotFound))
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.unsubscribe(NSD, &id)?;
    Ok(StatusCode::NO_CONTENT)
}
