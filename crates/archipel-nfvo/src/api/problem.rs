//! Errors as problem details.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::dto::Problem;
use crate::engine::AuthError;
use crate::error::{chain, NfvoError};

/// An error of the core, answered as problem details.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl ApiError {
    /// A 400 saying what is wrong with the request.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self(Problem::new(StatusCode::BAD_REQUEST, "invalid-request", "invalid request", detail))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthorized = self.0.status == StatusCode::UNAUTHORIZED.as_u16();
        let mut response = self.0.into_response();
        if unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        use AuthError as E;
        let (status, kind, title) = match &err {
            E::BadLogin | E::NoCredentials | E::BadCredentials => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "unauthorized")
            }
            E::Forbidden { .. } | E::OthersKey { .. } | E::RoleTooHigh { .. } => {
                (StatusCode::FORBIDDEN, "forbidden", "forbidden")
            }
            E::UserExists { .. } | E::LastAdmin { .. } => {
                (StatusCode::CONFLICT, "conflict", "conflict")
            }
            E::NoUser { .. } | E::NoApiKey { .. } => {
                (StatusCode::NOT_FOUND, "not-found", "not found")
            }
            E::Invalid { .. } => (StatusCode::BAD_REQUEST, "invalid-request", "invalid request"),
            E::Hash(_) | E::HashAborted(_) | E::Store(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        };
        if status.is_server_error() {
            tracing::error!(error = %chain(&err), "request failed");
        }
        Self(Problem::new(status, kind, title, chain(&err)))
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
            E::InvalidPackage(_) => {
                (StatusCode::BAD_REQUEST, "invalid-package", "invalid VNF package")
            }
            E::NotFound { .. } => (StatusCode::NOT_FOUND, "not-found", "not found"),
            E::InvalidRequest { .. } => {
                (StatusCode::BAD_REQUEST, "invalid-request", "invalid request")
            }
            E::SiteExists { .. }
            | E::SiteInUse { .. }
            | E::NsdInUse { .. }
            | E::Busy { .. }
            | E::WrongStatus { .. }
            | E::AfterFailed { .. }
            | E::HoldsResources { .. }
            | E::PackageInUse { .. }
            | E::PackageState { .. }
            | E::NsdState { .. }
            | E::AlarmState { .. }
            | E::OpState { .. } => (StatusCode::CONFLICT, "conflict", "conflict"),
            E::NsdChanged { .. } | E::AlarmChanged { .. } | E::PackageChanged { .. } => {
                (StatusCode::PRECONDITION_FAILED, "precondition-failed", "precondition failed")
            }
            E::SiteUnreachable { .. } | E::AgentUnreachable { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "site-unreachable", "site unreachable")
            }
            E::CallbackTest { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "callback-test-failed", "callback test failed")
            }
            E::Placement { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unplaceable", "cannot place a VNF")
            }
            E::Store(_) | E::Open(_) | E::Notifier(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
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
