//! Errors as problem details.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::dto::Problem;
use crate::error::{chain, NfvoError};

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl Problem {
    pub(crate) fn new(
        status: StatusCode,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            problem_type: format!("urn:archipel:problem:{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            path: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

/// An error of the core, answered as problem details.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self(problem)
    }
}

impl From<NfvoError> for ApiError {
    fn from(err: NfvoError) -> Self {
        use NfvoError as E;
        let (status, kind, title) = match &err {
            E::InvalidNsd(_) => (StatusCode::BAD_REQUEST, "invalid-nsd", "invalid NSD"),
            E::NotFound { .. } => (StatusCode::NOT_FOUND, "not-found", "not found"),
            E::InvalidRequest { .. } => {
                (StatusCode::BAD_REQUEST, "invalid-request", "invalid request")
            }
            E::SiteExists { .. }
            | E::SiteInUse { .. }
            | E::NsdInUse { .. }
            | E::Busy { .. }
            | E::WrongStatus { .. }
            | E::HoldsResources { .. } => (StatusCode::CONFLICT, "conflict", "conflict"),
            E::SiteUnreachable { .. } | E::AgentUnreachable { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "site-unreachable", "site unreachable")
            }
            E::Placement { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unplaceable", "cannot place a VNF")
            }
            E::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"),
        };
        if status.is_server_error() {
            tracing::error!(error = %chain(&err), "request failed");
        }
        let (detail, path) = match &err {
            // The catalogue's message starts with the path already.
            E::InvalidNsd(invalid) => (chain(invalid), Some(invalid.path().to_owned())),
            other => (chain(other), None),
        };
        let mut problem = Problem::new(status, kind, title, detail);
        problem.path = path;
        Self(problem)
    }
}
