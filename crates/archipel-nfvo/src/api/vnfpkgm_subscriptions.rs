//! `/vnfpkgm/v1/subscriptions`: SOL005 subscriptions to VNF package management notifications
//! (a package onboarded, a package deleted).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{PkgmSubscription, PkgmSubscriptionRequest};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::subscriptions::{listed, shown, subscribe};
use crate::model::SubscriptionApi;
use crate::Nfvo;

const PKGM: SubscriptionApi = SubscriptionApi::Vnfpkgm;

/// Subscribes a callback to VNF package notifications, once it answered the test (a GET answered 204,
/// else 422); they are delivered as the lifecycle ones are.
#[utoipa::path(
    post,
    operation_id = "createPkgmSubscription",
    path = "/vnfpkgm/v1/subscriptions",
    tag = "vnfpkgm",
    request_body = PkgmSubscriptionRequest,
    responses(
        (status = 201, description = "subscribed", body = PkgmSubscription,
         headers(("Location" = String, description = "the subscription's URL"))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<PkgmSubscriptionRequest>,
) -> Result<Response, ApiError> {
    let filter = request.filter.into();
    subscribe::<PkgmSubscription>(&nfvo, PKGM, request.callback_uri, filter).await
}

#[utoipa::path(
    get,
    operation_id = "listPkgmSubscriptions",
    path = "/vnfpkgm/v1/subscriptions",
    tag = "vnfpkgm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the VNF package subscriptions, oldest first: a page, filtered and selected as asked",
         body = [PkgmSubscription], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    listed::<PkgmSubscription>(&nfvo, PKGM, &request, collection::PKGM_SUBSCRIPTIONS)
}

#[utoipa::path(
    get,
    operation_id = "getPkgmSubscription",
    path = "/vnfpkgm/v1/subscriptions/{id}",
    tag = "vnfpkgm",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 200, description = "the subscription", body = PkgmSubscription), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<PkgmSubscription>, ApiError> {
    shown(&nfvo, PKGM, &id)
}

/// Ends a VNF package subscription; notifications still queued for it are dropped.
#[utoipa::path(
    delete,
    operation_id = "deletePkgmSubscription",
    path = "/vnfpkgm/v1/subscriptions/{id}",
    tag = "vnfpkgm",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 204, description = "deleted"), (status = 404, response = NotFound))
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.unsubscribe(PKGM, &id)?;
    Ok(StatusCode::NO_CONTENT)
}
