//! Errors of the native runtime; they travel as the source of a [`RuntimeError`].

use std::io;
use std::path::PathBuf;

use crate::runtime::RuntimeError;

#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("this process's effective capabilities ({effective}) lack {missing}")]
    Privileges { effective: String, missing: &'static str },
    #[error("site network namespace {0} does not exist; create it first (ip netns add {0})")]
    SiteNetnsMissing(String),
    #[error("cannot {what} {}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("image manifest {} is invalid TOML at line {line}: {problem}", path.display())]
    ManifestSyntax { path: PathBuf, line: usize, problem: String },
    #[error("image manifest {}: {problem}", path.display())]
    ManifestInvalid { path: PathBuf, problem: String },
    #[error("{} {problem}", path.display())]
    NotAnImage { path: PathBuf, problem: &'static str },
    #[error("OCI image {} {problem}", path.display())]
    BadOciImage { path: PathBuf, problem: String },
    #[error("an image named {0} is already in the catalogue")]
    ImageExists(String),
    #[error("workload state file {} is unreadable", path.display())]
    RecordSyntax {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("network {0} has no bridge; create the network first")]
    NetworkMissing(String),
    #[error("a container takes at most {max} endpoints, {found} were given")]
    TooManyEndpoints { max: usize, found: usize },
    #[error("workload {0} is already running")]
    AlreadyRunning(String),
    #[error("no {0} program found in /usr/bin or /bin (install util-linux and mount)")]
    NoProgram(&'static str),
    #[error("this popd cannot isolate an image with a root filesystem: it was given no `archipel` program to run as container-init")]
    NoHelper,
    #[error("cannot make the workload's cgroups (limits of its flavour)")]
    Cgroup(#[source] Box<NativeError>),
    #[error("cannot spawn the workload's supervisor")]
    Spawn(#[source] io::Error),
    #[error("cannot start the command in the workload")]
    ExecSpawn(#[source] io::Error),
    #[error("the command is empty")]
    EmptyCommand,
}

impl NativeError {
    pub(super) fn io(
        what: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { what, path, source }
    }
}

/// Wraps any error as the failure of `op`.
pub(super) fn failed<E>(op: &'static str) -> impl FnOnce(E) -> RuntimeError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |e| RuntimeError::Failed { op, source: Box::new(e) }
}
