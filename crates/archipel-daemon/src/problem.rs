//! Errors of the REST APIs as RFC 9457 problem details (`application/problem+json`), one type
//! for every daemon that answers HTTP and for their clients, which read `detail`.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error, as RFC 9457 problem details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the kind of problem, `urn:archipel:problem:<kind>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The kind of problem in words; the same for every problem of a type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// An extension member: where in the request document the problem lies, e.g.
    /// `vnfd[1].vdu[0].vm_image` for a refused NSD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Problem {
    /// A problem of kind `kind` (the tail of its `type` URN).
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            problem_type: format!("urn:archipel:problem:{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            path: None,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.status, self.detail)
    }
}

impl std::error::Error for Problem {}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

/// The most of a plain error body kept as a problem's `detail`: the framework's own refusals
/// (a body that is not JSON, a path that does not parse) are one line.
const PLAIN_DETAIL_LIMIT: usize = 4096;

/// Middleware: every error answered by something other than the API's own handlers (the
/// framework's refusal of a malformed body, path or query, a route or method that does not
/// exist, a body over the limit) becomes problem details too, so that every client reads one
/// shape of error. Answers that already are problem details, and successes, pass unchanged.
pub async fn everywhere(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE);
    if content_type.is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes())) {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), PLAIN_DETAIL_LIMIT).await;
    let text = body.map(|b| String::from_utf8_lossy(&b).trim().to_owned()).unwrap_or_default();
    let detail = match status {
        StatusCode::NOT_FOUND if text.is_empty() => format!("no resource at {path}"),
        StatusCode::METHOD_NOT_ALLOWED => format!("{path} does not take {method}"),
        _ if text.is_empty() => status.canonical_reason().unwrap_or("error").to_lowercase(),
        _ => text,
    };
    let title = status.canonical_reason().unwrap_or("error").to_lowercase();
    let kind = title.replace(' ', "-");
    Problem::new(status, &kind, &title, detail).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_problem_json_with_its_status() {
        let problem = Problem::new(StatusCode::CONFLICT, "conflict", "conflict", "it is taken");
        let response = problem.clone().into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "type": "urn:archipel:problem:conflict",
                "title": "conflict",
                "status": 409,
                "detail": "it is taken",
            })
        );
        assert_eq!(serde_json::from_value::<Problem>(value).unwrap(), problem);
    }

    #[tokio::test]
    async fn the_frameworks_plain_refusals_become_problems() {
        use axum::routing::post;
        let echo = |axum::Json(v): axum::Json<serde_json::Value>| async move { v.to_string() };
        let mine = || async { Problem::new(StatusCode::CONFLICT, "conflict", "conflict", "taken") };
        let app = axum::Router::new()
            .route("/things", post(echo))
            .route("/mine", post(mine))
            .layer(axum::middleware::from_fn(everywhere));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = reqwest::Client::new();
        let call = |method: reqwest::Method, path: &str, body: &'static str| {
            let request = client
                .request(method, format!("{base}{path}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON, "{status}");
                (status, response.json::<Problem>().await.unwrap())
            }
        };
        let (status, problem) = call(reqwest::Method::POST, "/things", "{nope").await;
        assert_eq!(status, 400);
        assert!(problem.detail.contains("JSON"), "{problem}");
        let (status, problem) = call(reqwest::Method::POST, "/elsewhere", "{}").await;
        assert_eq!((status, problem.detail.as_str()), (404, "no resource at /elsewhere"));
        let (status, problem) = call(reqwest::Method::GET, "/things", "").await;
        assert_eq!((status, problem.detail.as_str()), (405, "/things does not take GET"));
        let (status, problem) = call(reqwest::Method::POST, "/mine", "").await;
        assert_eq!((status, problem.detail.as_str()), (409, "taken"));
    }
}
