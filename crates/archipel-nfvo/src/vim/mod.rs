//! What the engine needs from a site's popd and its inter-site agent, behind small traits: the
//! real implementations on the Pop client ([`PopVims`]) and the agent's North client
//! ([`NorthAgent`]), and a recording fake of both (`FakeVims`, feature `testing`) for tests.

mod agent;
#[cfg(any(test, feature = "testing"))]
mod fake;
mod pop;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use ipnet::Ipv4Net;

pub use agent::{Agent, AgentSite, NorthAgent};
#[cfg(any(test, feature = "testing"))]
pub use fake::{FakeCall, FakeContainer, FakeVim, FakeVims, Hold};
pub use pop::{PopVim, PopVims};

use crate::model::Site;

/// A boxed error from below the trait.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A Pop call that failed.
#[derive(Debug, thiserror::Error)]
pub enum VimError {
    /// The site answered that the object does not exist.
    #[error("not found")]
    NotFound(#[source] BoxError),
    /// The site refused the call, or could not be reached.
    #[error("pop call failed")]
    Failed(#[source] BoxError),
}

impl VimError {
    /// The site's own words, without this wrapper's.
    pub fn reason(&self) -> String {
        match self {
            VimError::NotFound(source) | VimError::Failed(source) => crate::error::chain(&**source),
        }
    }
}

/// A Pop network to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkSpec {
    pub name: String,
    pub subnet: Ipv4Net,
    /// None: the site's default.
    pub mtu: Option<u32>,
}

/// A Pop container to create: one endpoint per network, addresses chosen by popd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// Pop network names.
    pub networks: Vec<String>,
    /// Pop network name -> the address the container must have there (a heal keeps the old
    /// ones); a network not named here gets one popd chooses.
    pub addresses: BTreeMap<String, String>,
}

/// A Pop container as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopContainer {
    pub id: String,
    pub name: String,
    /// `CREATED`, `RUNNING`, `EXITED`, …
    pub status: String,
    /// Pop network name -> IPv4 address.
    pub addresses: BTreeMap<String, String>,
    /// The workload's exit code, once it has ended.
    pub exit_code: Option<i32>,
}

/// A site's Watch stream: its containers' changes.
#[async_trait]
pub trait ContainerEvents: Send {
    /// The next change; None when the site ended the stream.
    async fn next(&mut self) -> Result<Option<PopContainer>, VimError>;
}

/// A command to run inside a running container (the Pop's Exec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecSpec {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Added to the container's environment for this command.
    pub env: BTreeMap<String, String>,
    pub timeout: std::time::Duration,
}

/// How a command run inside a container ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutcome {
    pub exit_code: i32,
    /// Its standard output and error, interleaved (the Pop keeps the last 1 MiB).
    pub output: Vec<u8>,
    /// It outlived its deadline and was killed.
    pub timed_out: bool,
}

/// What Info answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VimInfo {
    pub name: String,
    pub kind: String,
}

/// The Pop calls of one site. Deletes take names (every name the engine uses is unique) and
/// succeed when the object is already gone, so undoing is idempotent.
#[async_trait]
pub trait Vim: Send + Sync + fmt::Debug {
    async fn info(&self) -> Result<VimInfo, VimError>;
    /// Returns the network's Pop id.
    async fn create_network(&self, spec: &NetworkSpec) -> Result<String, VimError>;
    async fn delete_network(&self, name: &str) -> Result<(), VimError>;
    async fn create_container(&self, spec: &ContainerSpec) -> Result<PopContainer, VimError>;
    /// Merges `entries` into a CREATED container's metadata.
    async fn set_metadata(
        &self,
        name: &str,
        entries: &BTreeMap<String, String>,
    ) -> Result<(), VimError>;
    async fn start(&self, name: &str) -> Result<PopContainer, VimError>;
    /// Runs a command inside the running container `name`.
    async fn exec(&self, name: &str, spec: &ExecSpec) -> Result<ExecOutcome, VimError>;
    async fn delete_container(&self, name: &str) -> Result<(), VimError>;
    async fn containers(&self) -> Result<Vec<PopContainer>, VimError>;
    /// Follows every container's changes, with no deadline.
    async fn watch(&self) -> Result<Box<dyn ContainerEvents>, VimError>;
}

/// Gives the [`Vim`] of a site, and its [`Agent`] when it has one.
pub trait Vims: Send + Sync + fmt::Debug {
    fn vim(&self, site: &Site) -> Arc<dyn Vim>;
    fn agent(&self, site: &Site) -> Option<Arc<dyn Agent>>;
}
