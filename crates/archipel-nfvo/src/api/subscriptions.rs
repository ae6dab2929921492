//! SOL005 subscriptions, the same for every API: the helpers that make, list and show them, and
//! the handlers of each API's `…/subscriptions` resources, written once ([`subscription_handlers`]).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection};
use super::problem::ApiError;
use crate::engine::NewSubscription;
use crate::model::{Filter, Subscription, SubscriptionApi};
use crate::Nfvo;

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

/// The four handlers of one API's subscriptions (create, list, show, delete), documented for
/// the OpenAPI document; each API's module is one call.
macro_rules! subscription_handlers {
    (
        api: $api:expr,
        tag: $tag:literal,
        collection: $path:literal,
        item: $item:literal,
        request: $request:ident,
        resource: $resource:ident,
        kind: $kind:expr,
        operations: ($create:literal, $list:literal, $get:literal, $delete:literal),
        subscribes: $doc:literal $(,)?
    ) => {
        use axum::extract::{Path, State};
        use axum::http::StatusCode;
        use axum::response::Response;
        use axum::Json;

        use $crate::api::collection::{Collection, CollectionQuery};
        use $crate::api::dto::{$request, $resource};
        use $crate::api::extract::JsonBody;
        use $crate::api::problem::ApiError;
        use $crate::api::responses::{
            BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
        };
        use $crate::api::subscriptions::{listed, shown, subscribe};
        use $crate::Nfvo;

        #[doc = $doc]
        ///
        /// The callback is tested first: a GET must answer 204, else 422. From the next event
        /// on, the notifications the filter takes are POSTed to it as JSON, in order, each
        /// retried with backoff until the callback answers 2xx.
        #[utoipa::path(
            post,
            operation_id = $create,
            path = $path,
            tag = $tag,
            request_body = $request,
            responses(
                (status = 201, description = "subscribed", body = $resource,
                 headers(("Location" = String, description = "the subscription's URL"))),
                (status = 400, response = BadRequest),
                (status = 413, response = PayloadTooLarge),
                (status = 415, response = UnsupportedMediaType),
                (status = 422, response = Unprocessable),
            )
        )]
        pub async fn create(
            State(nfvo): State<Nfvo>,
            JsonBody(request): JsonBody<$request>,
        ) -> Result<Response, ApiError> {
            let filter = request.filter.into();
            subscribe::<$resource>(&nfvo, $api, request.callback_uri, filter).await
        }

        #[utoipa::path(
            get,
            operation_id = $list,
            path = $path,
            tag = $tag,
            params(CollectionQuery),
            responses(
                (status = 200, description = "the subscriptions, oldest first: a page, filtered and selected as asked",
                 body = [$resource], headers(("Link" = String, description = "the next page, rel=\"next\""))),
                (status = 400, response = BadRequest),
            )
        )]
        pub async fn list(
            State(nfvo): State<Nfvo>,
            request: Collection,
        ) -> Result<Response, ApiError> {
            listed::<$resource>(&nfvo, $api, &request, $kind)
        }

        #[utoipa::path(
            get,
            operation_id = $get,
            path = $item,
            tag = $tag,
            params(("id" = String, Path, description = "the subscription's id")),
            responses((status = 200, description = "the subscription", body = $resource), (status = 404, response = NotFound))
        )]
        pub async fn show(
            State(nfvo): State<Nfvo>,
            Path(id): Path<String>,
        ) -> Result<Json<$resource>, ApiError> {
            shown(&nfvo, $api, &id)
        }

        /// Ends the subscription; notifications still queued for it are dropped.
        #[utoipa::path(
            delete,
            operation_id = $delete,
            path = $item,
            tag = $tag,
            params(("id" = String, Path, description = "the subscription's id")),
            responses((status = 204, description = "deleted"), (status = 404, response = NotFound))
        )]
        pub async fn delete(
            State(nfvo): State<Nfvo>,
            Path(id): Path<String>,
        ) -> Result<StatusCode, ApiError> {
            nfvo.unsubscribe($api, &id)?;
            Ok(StatusCode::NO_CONTENT)
        }
    };
}

pub(super) use subscription_handlers;

/// `/nslcm/v1/subscriptions`.
pub mod nslcm {
    super::subscription_handlers! {
        api: crate::model::SubscriptionApi::Nslcm,
        tag: "nslcm",
        collection: "/nslcm/v1/subscriptions",
        item: "/nslcm/v1/subscriptions/{id}",
        request: LccnSubscriptionRequest,
        resource: LccnSubscription,
        kind: crate::api::collection::SUBSCRIPTIONS,
        operations: ("createSubscription", "listSubscriptions", "getSubscription", "deleteSubscription"),
        subscribes: "Subscribes a callback to lifecycle, alarm and health notifications.",
    }
}
