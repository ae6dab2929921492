//! The errors of the orchestrator's core, as its callers see them.

use crate::catalogue::CatalogueError;
use crate::store::StoreError;
use crate::vim::VimError;

/// Why the core refused or could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum NfvoError {
    #[error("invalid NSD")]
    InvalidNsd(#[from] CatalogueError),
    #[error("no {what} {id}")]
    NotFound { what: &'static str, id: String },
    #[error("invalid request: {reason}")]
    InvalidRequest { reason: String },
    #[error("site {name} is already registered")]
    SiteExists { name: String },
    #[error("site {name} answered no Info")]
    SiteUnreachable {
        name: String,
        #[source]
        source: VimError,
    },
    #[error("the inter-site agent of site {name} did not answer")]
    AgentUnreachable {
        name: String,
        #[source]
        source: VimError,
    },
    #[error("site {name} is used by network service {nsr}")]
    SiteInUse { name: String, nsr: String },
    #[error("NSD {id} is used by network service {nsr}")]
    NsdInUse { id: String, nsr: String },
    #[error("network service {nsr} is busy with operation {op}")]
    Busy { nsr: String, op: String },
    #[error("network service {nsr} is {status}: {operation} needs {needs}")]
    WrongStatus { nsr: String, status: &'static str, operation: &'static str, needs: &'static str },
    #[error(
        "network service {nsr} is ERROR after its {failed} failed (operation {op}): only a \
         terminate may follow, which removes what is left"
    )]
    AfterFailed { nsr: String, failed: &'static str, op: String },
    #[error("network service {nsr} still holds objects at its sites: terminate it first")]
    HoldsResources { nsr: String },
    #[error("no site can take VNF {vnf}: {reason}")]
    Placement { vnf: String, reason: String },
    #[error("invalid VNF package")]
    InvalidPackage(#[from] crate::package::PackageError),
    #[error("VNF package {id} is used by NSD {nsd}")]
    PackageInUse { id: String, nsd: String },
    #[error("VNF package {id} {state}")]
    PackageState { id: String, state: &'static str },
    #[error("the callback did not pass the test (a GET must answer 204 No Content): {reason}")]
    CallbackTest { reason: String },
    #[error("operation {id} is {state}: {task} needs {needs}")]
    OpState { id: String, state: &'static str, task: &'static str, needs: &'static str },
    #[error("NSD {id} {state}")]
    NsdState { id: String, state: &'static str },
    #[error("alarm {id} is {state} already")]
    AlarmState { id: String, state: &'static str },
    #[error("NSD {id} changed since it was read (its ETag is now {etag}): read it again")]
    NsdChanged { id: String, etag: String },
    #[error("VNF package {id} changed since it was read (its ETag is now {etag}): read it again")]
    PackageChanged { id: String, etag: String },
    #[error("alarm {id} changed since it was read (its ETag is now {etag}): read it again")]
    AlarmChanged { id: String, etag: String },
    #[error("the store failed")]
    Store(#[from] StoreError),
    #[error("cannot open the store")]
    Open(#[from] crate::store::OpenError),
    #[error("cannot make the HTTP client of the notifications")]
    Notifier(#[source] reqwest::Error),
}

pub use archipel_daemon::chain;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_joins_sources_once() {
        let io = std::io::Error::other("disk full");
        let err = crate::store::StoreError::Sqlite {
            op: "write",
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(io)),
        };
        assert_eq!(
            chain(&NfvoError::Store(err)),
            "the store failed: sqlite failed to write: disk full"
        );
    }
}
