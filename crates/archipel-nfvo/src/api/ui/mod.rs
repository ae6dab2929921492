//! `/ui`: the web view, plain files compiled into the binary (no build step, nothing fetched
//! from elsewhere). The files are public; the page then calls the API with the user's token,
//! so what it shows is what the token may read.

use axum::extract::Path;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::dto::Problem;
use super::problem::ApiError;

/// Only this origin's own script, style and API; no inline code, no frames, no forms posted
/// elsewhere; images only as the script's inline SVG needs none.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                   connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
                   frame-ancestors 'none'";

/// The files under `/ui/`: name, type, content.
const FILES: [(&str, &str, &str); 4] = [
    ("index.html", "text/html; charset=utf-8", include_str!("index.html")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("app.js")),
    ("render.js", "text/javascript; charset=utf-8", include_str!("render.js")),
    ("style.css", "text/css; charset=utf-8", include_str!("style.css")),
];

/// `/ui` and `/ui/`: the page.
pub async fn page() -> Response {
    file("index.html")
}

/// `/ui/{file}`: the page's script and style.
pub async fn asset(Path(name): Path<String>) -> Response {
    file(&name)
}

fn file(name: &str) -> Response {
    let Some((_, content_type, body)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        let detail = "the web view has no such file";
        let problem = Problem::new(StatusCode::NOT_FOUND, "not-found", "not found", detail);
        return ApiError::from(problem).into_response();
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    (headers, *body).into_response()
}
