//! The audit trail: every state-changing call logs one structured line (target `audit`) saying
//! who did what to which object, and how it ended. Never an argument's value: metadata and
//! passwords stay out of it.

use std::net::IpAddr;

use tonic::{Response, Status};

use crate::model::Selector;

/// Who is calling: the session's user and the peer's address.
#[derive(Debug)]
pub struct Caller {
    pub user: String,
    pub peer: Option<IpAddr>,
}

impl Caller {
    /// Logs the call's outcome and passes the reply on.
    pub fn audit<T>(
        &self,
        operation: &'static str,
        target: &str,
        reply: Result<Response<T>, Status>,
    ) -> Result<Response<T>, Status> {
        let outcome = match &reply {
            Ok(_) => "ok".to_owned(),
            Err(status) => format!("{:?}", status.code()),
        };
        let peer = self.peer.map(|p| p.to_string()).unwrap_or_default();
        tracing::info!(target: "audit", user = %self.user, %peer, operation = %operation, target = %target, %outcome, "audit");
        reply
    }
}

/// How a selector names its object in the trail.
pub fn label(sel: &Selector) -> &str {
    match sel {
        Selector::Id(s) | Selector::Name(s) => s,
    }
}
