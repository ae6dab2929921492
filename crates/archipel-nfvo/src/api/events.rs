//! `/archipel/v1/events`: the event bus as server-sent events, for people and the web view.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::{IntoParams, ToSchema};

use super::dto::Problem;
use super::problem::ApiError;
use super::responses::BadRequest;
use crate::events::Event;
use crate::Nfvo;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// false: answer the events kept so far and end; true (the default): then follow.
    #[serde(default)]
    follow: Option<bool>,
}

/// The events kept so far (the last 256, or those after `Last-Event-ID`), then, unless
/// `follow=false`, every new one as it happens. Each is `event:
/// lifecycle|alarm|health|nsd|package`, `id:` its rank and `data:` one JSON object with at least
/// `type` and `time`, and `nsInstanceId` (or, for `nsd` events, `nsdInfoId`, for `package` ones
/// `vnfPkgId`); lifecycle events carry the fields of SOL005's
/// `NsLcmOperationOccurrenceNotification`, `nsd` and `package` events those of its NSD and VNF
/// package management notifications.
#[utoipa::path(
    get,
    operation_id = "getEvents",
    path = "/archipel/v1/events",
    tag = "events",
    params(EventsQuery),
    responses(
        (status = 200, description = "the event stream, one `StreamEvent` after another", content_type = "text/event-stream", body = StreamEvent),
        (status = 400, response = BadRequest),
    )
)]
pub async fn stream(
    State(nfvo): State<Nfvo>,
    query: Result<Query<EventsQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-request",
            "invalid request",
            format!("invalid query: {}", rejection.body_text()),
        )
    })?;
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let follow = nfvo.events().follow(after);
    let past = stream::iter(follow.past.into_iter().map(|e| Ok(sse(&e))));
    if query.follow == Some(false) {
        return Ok(Sse::new(past).into_response());
    }
    let live = stream::unfold((follow.live, follow.closed), |(mut live, mut closed)| async move {
        let next = tokio::select! {
            next = live.recv() => next,
            _ = closed.wait_for(|closed| *closed) => return None,
        };
        let item = match next {
            Ok(event) => sse(&event),
            // A reader too slow for the bus is told how much it missed, and goes on.
            Err(RecvError::Lagged(missed)) => {
                SseEvent::default().comment(format!("{missed} events missed"))
            }
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(item), (live, closed)))
    });
    let events: std::pin::Pin<Box<dyn Stream<Item = Result<SseEvent, Infallible>> + Send>> =
        Box::pin(past.chain(live));
    let keep_alive = KeepAlive::new().interval(Duration::from_secs(15));
    Ok(Sse::new(events).keep_alive(keep_alive).into_response())
}

/// One event of the stream, as a server-sent events reader parses it.
#[derive(ToSchema)]
pub struct StreamEvent {
    /// What the event is about.
    #[schema(pattern = "^(lifecycle|alarm|health|nsd|package)$")]
    event: &'static str,
    /// Its rank, to resume from with `Last-Event-ID`.
    #[schema(pattern = "^[0-9]+$")]
    id: String,
    /// One JSON object: `type`, `time` and `nsInstanceId`, `nsdInfoId` or `vnfPkgId`, then its
    /// own fields.
    #[schema(content_media_type = "application/json")]
    data: String,
}

impl From<&Event> for StreamEvent {
    fn from(event: &Event) -> Self {
        Self {
            event: event.kind.as_str(),
            id: event.seq.to_string(),
            data: serde_json::Value::Object(event.data.clone()).to_string(),
        }
    }
}

fn sse(event: &Event) -> SseEvent {
    let StreamEvent { event, id, data } = event.into();
    SseEvent::default().event(event).id(id).data(data)
}
