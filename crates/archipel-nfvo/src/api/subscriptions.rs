//! `/nslcm/v1/subscriptions`: SOL005 subscriptions to lifecycle and alarm notifications.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{LccnSubscription, LccnSubscriptionRequest};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use crate::engine::NewSubscription;
use crate::model::{Filter, Subscription, SubscriptionApi};
use crate::Nfvo;

const NSLCM: SubscriptionApi = SubscriptionApi::Nslcm;

/// Makes a subscription through `api` and answers 201 with it, as `T` shows it, and its
/// `Location`: what every SOL005 API's subscription creation does.
pub(super) async fn subscribe<T: From<Subscription> + serde::Serialize>(
    nfvo: &Nfvo,
    api: SubscriptionApi,
    callback_uri: String,
    filter: Filter,
) -> Result<Response, ApiError> {
    let subscription = nfvo.subscribe(NewSubscription { api, callback_uri, filter }).await?;
    let location = api.href(&subscription.id);
    let body = Json(T::from(subscription));
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], body).into_response())
}

/// The subscriptions made through `api`, as `T` shows them: a page of the collection `kind`.
pub(super) fn listed<T: From<Subscription> + serde::Serialize>(
    nfvo: &Nfvo,
    api: SubscriptionApi,
    request: &Collection,
    kind: collection::Kind,
) -> Result<Response, ApiError> {
    let items: Vec<T> = nfvo.subscriptions(api)?.into_iter().map(T::from).collect();
    collection::answer(&items, request, kind, nfvo.config().page_size)
}

/// A subscription made through `api`, as `T` shows it.
pub(super) fn shown<T: From<Subscription>>(
    nfvo: &Nfvo,
    api: SubscriptionApi,
    id: &str,
) -> Result<Json<T>, ApiError> {
    Ok(Json(T::from(nfvo.subscription(api, id)?)))
}

/// Subscribes a callback: from the next event on, the notifications the filter takes are POSTed
/// to it as JSON, in order, each retried with backoff until the callback answers 2xx. The
/// callback is tested first: a GET must answer 204, else 422.
#[utoipa::path(
    post,
    operation_id = "createSubscription",
    path = "/nslcm/v1/subscriptions",
    tag = "nslcm",
    request_body = LccnSubscriptionRequest,
    responses(
        (status = 201, description = "subscribed", body = LccnSubscription,
         headers(("Location" = String, description = "the subscription's URL"))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<LccnSubscriptionRequest>,
) -> Result<Response, ApiError> {
    let filter = request.filter.into();
    subscribe::<LccnSubscription>(&nfvo, NSLCM, request.callback_uri, filter).await
}

#[utoipa::path(
    get,
    operation_id = "listSubscriptions",
    path = "/nslcm/v1/subscriptions",
    tag = "nslcm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the subscriptions, oldest first: a page, filtered and selected as asked",
         body = [LccnSubscription], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    listed::<LccnSubscription>(&nfvo, NSLCM, &request, collection::SUBSCRIPTIONS)
}

#[utoipa::path(
    get,
    operation_id = "getSubscription",
    path = "/nslcm/v1/subscriptions/{id}",
    tag = "nslcm",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 200, description = "the subscription", body = LccnSubscription), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<LccnSubscription>, ApiError> {
    shown(&nfvo, NSLCM, &id)
}

/// Ends a subscription; notifications still queued for it are dropped.
#[utoipa::path(
    delete,
    operation_id = "deleteSubscription",
    path = "/nslcm/v1/subscriptions/{id}",
    tag = "nslcm",
    params(("id" = String, Path, description = "the subscription's id")),
    responses((status = 204, description = "deleted"), (status = 404, response = NotFound))
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.unsubscribe(NSLCM, &id)?;
    Ok(StatusCode::NO_CONTENT)
}
