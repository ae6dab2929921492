//! Request bodies: JSON with a size limit, every refusal as problem details.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::dto::Problem;
use super::problem::ApiError;

/// The largest NSD the API takes, and the largest instantiate request (a placement of every
/// VNF of the largest NSD).
pub const NSD_LIMIT: usize = 1024 * 1024;
/// The largest other request body.
pub const BODY_LIMIT: usize = 16 * 1024;

/// A JSON request body. An empty body, or `null`, reads as `{}`, so that actions without
/// parameters may be posted without one.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let says_json = is_json(req.headers());
        let bytes = RawBody::from_request(req, state).await?.0;
        let text = json_text(&bytes);
        if !text.is_empty() && !says_json {
            return Err(unsupported("send the body as application/json").into());
        }
        let text: &[u8] = if text.is_empty() || text == b"null" { b"{}" } else { text };
        // serde reads a struct from an array too (its fields in order): every body here is an
        // object, so anything else is refused before it is read.
        if text.first() != Some(&b'{') {
            return Err(invalid_json(".".to_owned(), "expected a JSON object"));
        }
        let mut de = serde_json::Deserializer::from_slice(text);
        let value = serde_path_to_error::deserialize(&mut de)
            .map_err(|err| invalid_json(err.path().to_string(), err.inner()))?;
        de.end().map_err(|err| invalid_json(".".to_owned(), err))?;
        Ok(JsonBody(value))
    }
}

/// `bytes` without the JSON whitespace around it (only JSON's: a form feed, say, is not an
/// empty body).
pub(crate) fn json_text(bytes: &[u8]) -> &[u8] {
    let json_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = bytes.iter().position(|b| !json_space(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !json_space(b)).map_or(start, |i| i + 1);
    &bytes[start..end]
}

fn invalid_json(path: String, err: impl std::fmt::Display) -> ApiError {
    let mut problem = Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-request",
        "invalid request",
        format!("invalid JSON body at {path}: {err}"),
    );
    problem.path = Some(path);
    problem.into()
}

/// A request body as bytes, within the route's limit.
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state).await.map(RawBody).map_err(body_problem)
    }
}

fn body_problem(rejection: BytesRejection) -> ApiError {
    let status = rejection.status();
    let (kind, title) = if status == StatusCode::PAYLOAD_TOO_LARGE {
        ("payload-too-large", "request body too large")
    } else {
        ("invalid-request", "invalid request")
    };
    Problem::new(status, kind, title, rejection.body_text()).into()
}

/// The request's media type, lowercase, without its parameters.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    value.split(';').next().map(|mime| mime.trim().to_ascii_lowercase())
}

fn is_json(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"))
}

/// 415, `detail` saying what to send.
pub(crate) fn unsupported(detail: &str) -> Problem {
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "unsupported media type",
        detail,
    )
}

/// Refuses a body that does not say it is JSON.
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    if is_json(headers) {
        Ok(())
    } else {
        Err(unsupported("send the body as application/json").into())
    }
}
