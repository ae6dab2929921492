//! What can go wrong in a lab.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("cannot {op} {path}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the lab context {path} is not valid")]
    ContextSyntax {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid lab: {0}")]
    Invalid(String),
    #[error("a lab already runs from {0}: take it down first (archipel lab down)")]
    AlreadyUp(PathBuf),
    #[error("a lab named {0} exists already (elsewhere): choose another --name")]
    NameTaken(String),
    #[error("no site {site} in the lab (sites: {known})")]
    NoSuchSite { site: String, known: String },
    #[error("cannot {op}")]
    Netlink {
        op: String,
        #[source]
        source: Box<archipel_netlink::NetlinkError>,
    },
    #[error("cannot make the lab's certificates")]
    Pki(#[source] archipel_daemon::pki::PkiError),
    #[error("cannot start {what}")]
    Spawn {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} exited before listening; its log ({log}) ends with:\n{tail}")]
    Exited { what: String, log: PathBuf, tail: String },
    #[error("{what} did not listen within {secs} s; its log ({log}) ends with:\n{tail}")]
    NotListening { what: String, secs: u64, log: PathBuf, tail: String },
    #[error("cannot remove what the popd of site {site} left in Docker")]
    Docker {
        site: String,
        #[source]
        source: Box<archipel_pop::runtime::RuntimeError>,
    },
    #[error("cannot remove the native containers of the popd of site {site}")]
    Native {
        site: String,
        #[source]
        source: Box<archipel_pop::runtime::RuntimeError>,
    },
    #[error("{what} was not ready within {secs} s")]
    NotReady { what: String, secs: u64 },
    #[error("`{command}` failed: {stderr}")]
    Command { command: String, stderr: String },
}

impl LabError {
    pub(crate) fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_owned();
        move |source| LabError::Io { op, path, source }
    }

    pub(crate) fn netlink(op: String) -> impl FnOnce(archipel_netlink::NetlinkError) -> Self {
        move |source| LabError::Netlink { op, source: Box::new(source) }
    }
}
