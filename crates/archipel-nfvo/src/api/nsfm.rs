//! `/nsfm/v1/alarms`: fault management, the alarms the watch raises, and their
//! acknowledgement.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{AckState, AlarmInfo, AlarmModifications};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, Conflict, NotFound, PayloadTooLarge, PreconditionFailed, UnsupportedMediaType,
};
use crate::model::Alarm;
use crate::Nfvo;

/// Every alarm of every instance, raised and cleared, oldest first per instance.
#[utoipa::path(
    get,
    operation_id = "listAlarms",
    path = "/nsfm/v1/alarms",
    tag = "nsfm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the alarms: a page, filtered and selected as asked",
         body = [AlarmInfo], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn alarms(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let items: Vec<AlarmInfo> = nfvo.nsrs()?.iter().flat_map(AlarmInfo::of).collect();
    collection::answer(&items, &request, collection::ALARMS, nfvo.config().page_size)
}

#[utoipa::path(
    get,
    operation_id = "getAlarm",
    path = "/nsfm/v1/alarms/{id}",
    tag = "nsfm",
    params(("id" = String, Path, description = "the alarm's id")),
    responses(
        (status = 200, description = "the alarm", body = AlarmInfo,
         headers(("ETag" = String, description = "the alarm's version, for PATCH's If-Match"))),
        (status = 404, response = NotFound),
    )
)]
pub async fn alarm(State(nfvo): State<Nfvo>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (nsr, alarm) = nfvo.alarm(&id)?;
    let etag = etag(&alarm);
    Ok(([etag], Json(AlarmInfo::new(&nsr, alarm))).into_response())
}

fn etag(alarm: &Alarm) -> (HeaderName, HeaderValue) {
    (header::ETAG, HeaderValue::try_from(alarm.etag()).expect("ASCII"))
}

/// Acknowledges an alarm (or takes the acknowledgement back): 412 when `If-Match` is not its
/// ETag, 409 when it is in that state already, or while an operation works on its NS instance.
#[utoipa::path(
    patch,
    operation_id = "modifyAlarm",
    path = "/nsfm/v1/alarms/{id}",
    tag = "nsfm",
    params(
        ("id" = String, Path, description = "the alarm's id"),
        ("If-Match" = Option<String>, Header, description = "the ETag the change is made against"),
    ),
    request_body(content = AlarmModifications, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "changed: what was asked", body = AlarmModifications,
         headers(("ETag" = String, description = "the alarm's new version"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn modify(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<AlarmModifications>,
) -> Result<Response, ApiError> {
    let if_match = headers.get(header::IF_MATCH).map(|v| v.to_str().unwrap_or_default());
    let acknowledged = request.ack_state == AckState::Acknowledged;
    let (_, alarm) = nfvo.acknowledge(&id, acknowledged, if_match)?;
    Ok(([etag(&alarm)], Json(request)).into_response())
}
