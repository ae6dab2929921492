//! How failures are answered: the one place that decides the HTTP status of each error of the
//! core, answered as RFC 9457 problem details (the daemon kit's [`Problem`]).

use archipel_daemon::problem::Problem;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::AgentError;
use crate::peers::PeersError;
use crate::wireguard::WireguardError;

/// An HTTP failure.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl ApiError {
    pub fn unauthorized(detail: &str) -> Self {
        Self(Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "unauthorized", detail))
    }

    pub fn forbidden(detail: &str) -> Self {
        Self(Problem::new(StatusCode::FORBIDDEN, "forbidden", "forbidden", detail))
    }
}

impl From<AgentError> for ApiError {
    fn from(err: AgentError) -> Self {
        use AgentError as E;
        let (status, kind, title) = match &err {
            E::ServiceNotFound { .. } | E::NoNetwork { .. } | E::NotExtended { .. } => {
                (StatusCode::NOT_FOUND, "not-found", "not found")
            }
            E::SiteTwice
            | E::TooFewSites
            | E::MasterNotAResource { .. }
            | E::MasterRemoved { .. }
            | E::NotAResource { .. }
            | E::NoPoolsAt { .. }
            | E::L3Membership { .. }
            | E::NetworkChange { .. }
            | E::StillLeaving { .. }
            | E::Incomplete { .. }
            | E::CidrMismatch { .. }
            | E::TransitTooSmall { .. }
            | E::BadTransit { .. }
            | E::IdMismatch { .. }
            | E::UnknownSite { .. }
            | E::BadName { .. }
            | E::Peer(PeersError::UnknownSite(_))
            | E::WrongUnderlay { .. }
            | E::BadVni { .. }
            | E::BadPlan { .. }
            | E::FixedChanged { .. }
            | E::Wireguard(WireguardError::BadPublicKey) => {
                (StatusCode::BAD_REQUEST, "invalid-request", "invalid request")
            }
            E::Overlap { .. }
            | E::CidrTaken { .. }
            | E::VniTaken { .. }
            | E::NothingFree { .. }
            | E::NotMaster { .. }
            | E::ReserveEmpty { .. }
            | E::NetworkInService { .. }
            | E::NetworkExists { .. }
            | E::JoinAfterLeave { .. }
            | E::EncryptionMismatch { .. }
            | E::EncryptionOff { .. } => (StatusCode::CONFLICT, "conflict", "conflict"),
            E::CallerNotMaster { .. }
            | E::NotYours { .. }
            | E::NotAParticipant { .. }
            | E::GrantForOther { .. } => (StatusCode::FORBIDDEN, "forbidden", "forbidden"),
            E::Peer(PeersError::Refused { status, .. }) if *status < 500 => {
                (StatusCode::CONFLICT, "conflict", "conflict")
            }
            E::Peer(_) => (StatusCode::BAD_GATEWAY, "peer-failed", "another site failed"),
            E::Ipam(_) | E::Store(_) | E::Vim(_) | E::Dataplane(_) | E::Wireguard(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        };
        Self(Problem::new(status, kind, title, err.chain()))
    }
}

/// Runs a change of the core to its end even when the caller hangs up, and answers its result:
/// the server drops a handler when its connection closes, and a change cut there would leave
/// half of it made (a network without its record, a tunnel without its service).
pub(super) async fn to_the_end<T, F>(change: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, AgentError>> + Send + 'static,
{
    match tokio::spawn(change).await {
        Ok(result) => Ok(result?),
        Err(err) => {
            tracing::error!(error = %err, "a change of the agent's state panicked");
            let detail = "the change failed inside the agent; see its log";
            Err(ApiError(Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
                detail,
            )))
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_answers_its_status_with_the_whole_chain() {
        let status = |e: AgentError| ApiError::from(e).0.status;
        assert_eq!(status(AgentError::ServiceNotFound { global_id: "a-1".into() }), 404);
        assert_eq!(status(AgentError::TooFewSites), 400);
        assert_eq!(status(AgentError::ReserveEmpty { global_id: "a-1".into() }), 409);
        let caller = || "b".to_owned();
        let master = AgentError::CallerNotMaster { caller: caller(), master: "c".into() };
        assert_eq!(status(master), 403);
        let underlay = "192.0.2.9".parse().unwrap();
        let known = "192.0.2.2".parse().unwrap();
        let wrong = AgentError::WrongUnderlay { site: caller(), given: underlay, known };
        assert_eq!(status(wrong), 400);
        let refused =
            |status| PeersError::Refused { site: "b".into(), status, message: "no".into() };
        assert_eq!(status(AgentError::Peer(refused(404))), 409);
        assert_eq!(status(AgentError::Peer(refused(500))), 502);
        let problem = ApiError::from(AgentError::Peer(refused(409))).0;
        assert_eq!(problem.problem_type, "urn:archipel:problem:conflict");
        assert_eq!(problem.detail, AgentError::Peer(refused(409)).chain());
    }
}
