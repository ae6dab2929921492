//! What really runs a Pop container: one trait, several implementations chosen per popd. The
//! registry, IPAM and the protocol never know which runtime runs below them.
//!
//! Every method is idempotent where it can be (ensuring a state, adopting what exists), so that
//! a popd that restarts converges instead of failing.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use archipel_ipam::Pool;
use futures::stream::BoxStream;
use ipnet::Ipv4Net;

pub use crate::model::Limits;

pub mod docker;
#[cfg(any(test, feature = "testing"))]
pub mod fake;
pub mod native;

/// Labels (Docker) or record keys (native) that mark what a popd instance owns.
pub const LABEL_POPD: &str = "archipel.popd";
pub const LABEL_POP_ID: &str = "archipel.pop-id";
pub const LABEL_NETWORK: &str = "archipel.network";

/// A Pop network as the runtime must realise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkSpec {
    pub id: String,
    pub name: String,
    pub subnet: Ipv4Net,
    pub gateway: Ipv4Addr,
    /// None: the runtime's default.
    pub mtu: Option<u32>,
}

/// Where a network lives once realised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkAttachment {
    /// The runtime's own id for it (a Docker network id; the bridge name for native).
    pub runtime_id: String,
    /// The Linux bridge that carries it.
    pub bridge: String,
    /// The network namespace the bridge lives in; None: the host's own.
    pub netns: Option<String>,
    /// Addresses already held on it by workloads that popd did not start (a network that
    /// existed before popd adopted it); popd reserves them.
    pub in_use: Vec<Ipv4Addr>,
    /// Addresses the runtime hands out by itself (Swarm's endpoint on each node): popd keeps
    /// them out of the network's pools, so that they are never handed out here nor to the
    /// other sites of an extension.
    pub runtime_range: Option<Pool>,
}

/// One endpoint of a workload to start: its address on one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    pub network: String,
    pub network_runtime_id: String,
    pub address: Ipv4Addr,
    pub prefix_len: u8,
    pub gateway: Ipv4Addr,
}

/// A workload to start for a Pop container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartSpec {
    pub pop_id: String,
    /// The Pop container's name; the runtime names its workload the same where it can.
    pub name: String,
    pub image: String,
    /// The container's metadata: its environment.
    pub env: BTreeMap<String, String>,
    pub endpoints: Vec<EndpointSpec>,
    /// What its flavour lets it use.
    pub limits: Limits,
}

/// A command to run inside a running workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecSpec {
    pub argv: Vec<String>,
    /// The container's metadata overlaid with the command's own variables.
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
    /// The most output kept: its last part.
    pub max_bytes: usize,
}

/// How a command run inside a workload ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOutput {
    pub code: i32,
    /// Standard output and standard error as written, at most the last `max_bytes`.
    pub output: Vec<u8>,
    pub truncated: bool,
    /// Killed at the deadline (`code` is then 137).
    pub timed_out: bool,
}

/// A workload the runtime started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub runtime_id: String,
    /// Unix seconds.
    pub started_at: i64,
    /// MAC address per network name, where the runtime knows it.
    pub macs: BTreeMap<String, String>,
}

/// Whether a workload still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadState {
    Running,
    Exited { code: i32 },
}

/// A workload the runtime holds for this popd instance, found by its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedWorkload {
    pub runtime_id: String,
    pub pop_id: String,
    pub state: WorkloadState,
    /// Unix seconds.
    pub started_at: i64,
    /// It ended because the kernel killed it for using more memory than its flavour gives.
    pub oom_killed: bool,
}

/// An image the runtime can start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub id: String,
    pub names: Vec<String>,
    /// Unix seconds.
    pub created: i64,
}

/// A change the runtime noticed by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeEvent {
    /// The workload of a Pop container ended; `oom_killed`: the kernel killed it for using
    /// more memory than its flavour gives.
    Exited { pop_id: String, runtime_id: String, code: i32, oom_killed: bool },
}

/// A workload's output, or its last part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOutput {
    pub output: Vec<u8>,
    /// True when the output asked for was longer than allowed: `output` is its last part.
    pub truncated: bool,
}

/// Appends `chunk` to `out`, keeping only its last `max` bytes; whether any were dropped.
pub(crate) fn append_tail(out: &mut Vec<u8>, chunk: &[u8], max: usize) -> bool {
    out.extend_from_slice(chunk);
    let excess = out.len().saturating_sub(max);
    out.drain(..excess);
    excess > 0
}

/// How a stop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    pub code: i32,
    /// True when the workload outlived the timeout and was killed.
    pub killed: bool,
}

/// What of the site's namespace already uses a new network's addresses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Clash {
    #[error("gateway {gateway} is already held by interface {link} in the site's namespace")]
    Gateway { gateway: Ipv4Addr, link: String },
    #[error("subnet {subnet} overlaps address {addr} of interface {link} in the site's namespace")]
    Address { subnet: Ipv4Net, addr: Ipv4Net, link: String },
    #[error("subnet {subnet} overlaps the route to {dest}{} in the site's namespace", .via_dev)]
    Route { subnet: Ipv4Net, dest: Ipv4Net, via_dev: String },
}

/// Errors of a runtime.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("image {0} not found")]
    ImageNotFound(String),
    #[error("network {name} exists in the runtime with subnet {found}, not {wanted}")]
    NetworkConflict { name: String, found: String, wanted: Ipv4Net },
    /// The site's namespace already uses the network's subnet or gateway.
    #[error("network {network}: {clash}")]
    SiteConflict { network: String, clash: Clash },
    #[error("workload {0} not found")]
    WorkloadNotFound(String),
    /// The runtime has no such operation (a Docker site imports no image directories).
    #[error("{what}")]
    Unsupported { what: String },
    /// The directory to import is not a valid image; the source says why, naming the field of
    /// the manifest at fault.
    #[error("the image directory is invalid")]
    InvalidImage(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The catalogue already holds an image of that name.
    #[error("the image catalogue already holds an image named {name}")]
    ImageExists { name: String },
    #[error("the runtime is not available: {what}")]
    Unavailable {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("runtime operation {op} failed")]
    Failed {
        op: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The runtime below a popd.
#[async_trait::async_trait]
pub trait Runtime: Send + Sync + 'static {
    /// `docker` or `native`.
    fn kind(&self) -> &'static str;

    /// Creates the network if absent, adopts it if present with the same subnet.
    async fn ensure_network(&self, spec: &NetworkSpec) -> Result<NetworkAttachment, RuntimeError>;
    /// Sets the MTU of an existing network where the runtime allows it.
    async fn update_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError>;
    /// Removes the network; Ok if it is already gone.
    async fn remove_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError>;

    async fn images(&self) -> Result<Vec<ImageInfo>, RuntimeError>;
    /// The image by id or name, if the runtime has it.
    async fn image(&self, reference: &str) -> Result<Option<ImageInfo>, RuntimeError>;
    /// Adds the image directory `src` (on this host) to the runtime's image catalogue.
    async fn import_image(&self, src: &Path) -> Result<ImageInfo, RuntimeError> {
        Err(RuntimeError::Unsupported {
            what: format!(
                "the {} runtime imports no image directories (asked for {})",
                self.kind(),
                src.display()
            ),
        })
    }

    /// Creates and starts the workload. On failure nothing of it stays in the runtime.
    async fn start(&self, spec: &StartSpec) -> Result<Started, RuntimeError>;
    /// Asks the workload to end, kills it after `timeout`; Ok(None) if it had already ended
    /// and its code is unknown.
    async fn stop(
        &self,
        runtime_id: &str,
        timeout: Duration,
    ) -> Result<Option<Stopped>, RuntimeError>;
    /// Forgets the workload (killing it if needed); Ok if it is already gone.
    async fn remove(&self, runtime_id: &str) -> Result<(), RuntimeError>;
    /// Every workload labelled as this popd instance's, running or not.
    async fn list_managed(&self) -> Result<Vec<ManagedWorkload>, RuntimeError>;
    /// The workload's output (stdout and stderr), the last `tail` lines if given, at most its
    /// last `max_bytes` bytes. Stops its work when the caller drops the future.
    async fn logs(
        &self,
        runtime_id: &str,
        tail: Option<u32>,
        max_bytes: usize,
    ) -> Result<LogOutput, RuntimeError>;

    /// Runs a command inside the running workload, killed (with what it started) at the
    /// deadline.
    async fn exec(&self, runtime_id: &str, spec: &ExecSpec) -> Result<ExecOutput, RuntimeError>;

    /// Exits noticed by the runtime. popd also polls `list_managed` as a fallback, so a
    /// runtime may end this stream (or never yield) without losing an exit.
    fn events(&self) -> BoxStream<'static, RuntimeEvent>;
}
