//! How failures are answered: a status and `{"error": "…"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::AgentError;
use crate::peers::PeersError;

/// An HTTP failure.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn unauthorized(message: &str) -> Self {
        Self { status: StatusCode::UNAUTHORIZED, message: message.to_owned() }
    }
}

impl From<AgentError> for ApiError {
    fn from(err: AgentError) -> Self {
        let status = match &err {
            AgentError::NotFound(_) | AgentError::NoNetwork { .. } | AgentError::NotExtended(_) => {
                StatusCode::NOT_FOUND
            }
            AgentError::Invalid(_) => StatusCode::BAD_REQUEST,
            AgentError::Overlap { .. }
            | AgentError::CidrTaken { .. }
            | AgentError::VniTaken { .. }
            | AgentError::NothingFree { .. }
            | AgentError::NotMaster { .. }
            | AgentError::ReserveEmpty(_) => StatusCode::CONFLICT,
            AgentError::Peer(PeersError::Refused { status, .. }) if *status < 500 => {
                StatusCode::CONFLICT
            }
            AgentError::Peer(_) => StatusCode::BAD_GATEWAY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self { status, message: err.chain() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}
