//! The native runtime: Pop containers as process trees in network namespaces of their own,
//! without any container engine. Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN).
//!
//! - A Pop network is a Linux bridge in the site's namespace (the host's own, or `--netns`)
//!   holding the gateway address; forwarding is on in that namespace. Its runtime id is the
//!   bridge's name.
//! - A container is a namespace (its runtime id) with one veth per endpoint (the host end on the
//!   network's bridge, `ethI` inside with the reserved address), `lo` up and a default route via
//!   the first endpoint's gateway. The workload runs there under a small supervisor
//!   (see `spawn`) with the image's environment defaults overlaid with the metadata as its whole
//!   environment, a working directory of its own, and its stdout and stderr appended to a log,
//!   rotated past [`NativeConfig::log_max_bytes`] (see `logs`).
//! - An image is a directory of the catalogue (`--images-dir`) with a `manifest.toml` (see
//!   `image`); host binaries are visible, a `rootfs` is chrooted into.
//! - When the workload ends (found by polling every 200 ms: pid and start time), its network is
//!   torn down at once (its addresses return to the pool, so they must be free), its record and
//!   log stay until Remove, and [`RuntimeEvent::Exited`] is sent. Stop sends SIGTERM to the
//!   process group and to every process in the namespace, SIGKILL after the timeout.
//! - State lives under the state directory, one directory per workload (see `record`), which is
//!   what a restarted popd re-adopts: a workload whose pid still runs with the recorded start
//!   time is running (never restarted); one that ended meanwhile is finished with the code its
//!   supervisor left; one whose start was interrupted is torn down.
//! - Names (see `names`) derive from the instance (bridges: and the network's name;
//!   namespaces: and the state directory and the Pop id), so a restart finds them again and two
//!   popds on one host never touch each other's namespaces. At construction, and in
//!   [`NativeRuntime::cleanup_orphans`], namespaces named for this runtime without a record are
//!   removed with their veths and processes. [`NativeLayout`] tells others these names and
//!   sweeps what a stopped popd left.
//! - Processes are spawned, read in /proc, signalled and reaped through `host` only, so the
//!   logic above is unit-tested without root against its fake.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use archipel_netlink::Netlink;
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::BroadcastStream;
use tracing::warn;

use super::{
    ExecOutput, ExecSpec, ImageInfo, LogOutput, ManagedWorkload, NetworkAttachment, NetworkSpec,
    Runtime, RuntimeError, RuntimeEvent, StartSpec, Started, Stopped,
};
use error::failed;
use host::Host;
use inner::{Entry, Inner};
use record::Status;

mod cgroup;
mod error;
mod exec;
mod host;
mod hosts;
mod image;
mod import;
mod inner;
mod isolate;
mod layout;
mod logs;
mod names;
mod network;
mod oci;
mod privilege;
mod record;
mod sandbox;
mod spawn;
mod watch;
mod workload;

pub use error::NativeError;
pub use import::import_image;
pub use isolate::{container_enter, container_init, EnterArgs, InitArgs, IsolateError};
pub use layout::{bridge_name, state_dir, NativeLayout};
pub use record::ProcessId;

/// Reads and checks the image in `dir` as the catalogue does when it lists or starts one: its
/// manifest and its root filesystem (the fuzz target `manifest` runs it on any bytes).
pub fn check_image(dir: &Path) -> Result<super::ImageInfo, NativeError> {
    image::Image::load(dir).map(|image| image.info)
}

/// What a native runtime needs.
#[derive(Clone)]
pub struct NativeConfig {
    /// The popd instance; it names what the runtime creates.
    pub instance: String,
    /// Where the workloads' records, logs and working directories live (under popd's data
    /// directory; created if missing).
    pub state_dir: PathBuf,
    /// The site's image catalogue (created if missing).
    pub images_dir: PathBuf,
    /// The site's network namespace (`ip netns` name; it must exist); None: the host's own.
    pub site_netns: Option<String>,
    pub netlink: Arc<dyn Netlink>,
    /// A workload's log is rotated (one rotated file kept) once it holds more than this.
    pub log_max_bytes: u64,
    /// The `archipel` program, run as `container-init` and `container-enter` for images with a
    /// root filesystem (popd gives its own); None: such images cannot start.
    pub helper: Option<PathBuf>,
}

/// The default of [`NativeConfig::log_max_bytes`]: with its rotated file, a workload's output
/// takes at most about twice this.
pub const DEFAULT_LOG_MAX_BYTES: u64 = 10 * 1024 * 1024;

impl fmt::Debug for NativeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeConfig")
            .field("instance", &self.instance)
            .field("state_dir", &self.state_dir)
            .field("images_dir", &self.images_dir)
            .field("site_netns", &self.site_netns)
            .field("log_max_bytes", &self.log_max_bytes)
            .field("helper", &self.helper)
            .finish_non_exhaustive()
    }
}

/// The native runtime of one popd instance.
pub struct NativeRuntime {
    inner: Arc<Inner>,
    poller: JoinHandle<()>,
}

impl fmt::Debug for NativeRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeRuntime")
            .field("instance", &self.inner.instance)
            .field("state_dir", &self.inner.layout.state_dir)
            .field("site_netns", &self.inner.site_netns)
            .finish_non_exhaustive()
    }
}

impl NativeRuntime {
    /// Checks the privileges and the site's namespace, loads the records of the state
    /// directory (re-adopting the workloads that still run), tears down interrupted starts,
    /// removes namespaces of this instance that have no record, and starts watching for exits.
    pub async fn new(config: NativeConfig) -> Result<NativeRuntime, RuntimeError> {
        privilege::check().map_err(|e| RuntimeError::Unavailable {
            what: "the native runtime needs root or CAP_NET_ADMIN".to_owned(),
            source: Box::new(e),
        })?;
        Self::on(config, Arc::new(host::SysHost::default())).await
    }

    /// [`NativeRuntime::new`] on `host`, without the privilege check.
    async fn on(config: NativeConfig, host: Arc<dyn Host>) -> Result<NativeRuntime, RuntimeError> {
        if let Some(site) = &config.site_netns {
            let exists = config
                .netlink
                .netns_exists(site)
                .await
                .map_err(failed("check the site namespace"))?;
            if !exists {
                return Err(RuntimeError::Unavailable {
                    what: "the native runtime needs its site's network namespace".to_owned(),
                    source: Box::new(NativeError::SiteNetnsMissing(site.clone())),
                });
            }
        }
        std::fs::create_dir_all(&config.images_dir).map_err(|e| {
            failed("open the image catalogue")(NativeError::io("create", &config.images_dir)(e))
        })?;
        let records = record::load_all(&config.state_dir).map_err(failed("load the workloads"))?;
        let state_dir = std::fs::canonicalize(&config.state_dir).map_err(|e| {
            failed("load the workloads")(NativeError::io("resolve", &config.state_dir)(e))
        })?;
        let entries = records
            .into_iter()
            .map(|r| (r.runtime_id.clone(), Arc::new(Entry::new(r))))
            .collect::<BTreeMap<_, _>>();
        let inner = Arc::new(Inner {
            layout: NativeLayout::new(&config.instance, &state_dir),
            instance: config.instance,
            images_dir: config.images_dir,
            site_netns: config.site_netns,
            netlink: config.netlink,
            entries: Mutex::new(entries),
            host,
            events: broadcast::channel(256).0,
            log_max_bytes: config.log_max_bytes,
            helper: config.helper,
            cgroups: cgroup::Hierarchy::detect(Path::new(cgroup::ROOT)),
        });
        inner.recover().await?;
        let poller = watch::spawn_poller(Arc::downgrade(&inner));
        Ok(NativeRuntime { inner, poller })
    }

    /// The popd instance this runtime names its bridges and namespaces after.
    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    /// The image catalogue.
    pub fn images_dir(&self) -> &Path {
        &self.inner.images_dir
    }

    /// The supervisor process of a running workload (the leader of its process group, whose
    /// environment is the workload's); None if it is not running or unknown.
    pub fn process(&self, runtime_id: &str) -> Option<ProcessId> {
        let record = self.inner.entry(runtime_id)?.record();
        (record.status == Status::Running).then_some(record.process).flatten()
    }

    /// Removes the workloads of Pop containers that are not in `known_pop_ids` (all of popd's
    /// containers, whatever their state), then the namespaces named for this instance that no
    /// workload explains, with their veths and any process left in them. Returns the runtime
    /// ids removed. popd calls it once at start-up after reading its store (construction has
    /// already swept unrecorded namespaces; this also removes records popd no longer knows).
    pub async fn cleanup_orphans(
        &self,
        known_pop_ids: &[String],
    ) -> Result<Vec<String>, RuntimeError> {
        self.inner.cleanup_orphans(known_pop_ids).await
    }
}

/// Sets its flag when dropped.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Drop for NativeRuntime {
    fn drop(&mut self) {
        // The workloads live on: a new runtime on the same state directory re-adopts them.
        self.poller.abort();
    }
}

#[async_trait::async_trait]
impl Runtime for NativeRuntime {
    fn kind(&self) -> &'static str {
        "native"
    }

    async fn ensure_network(&self, spec: &NetworkSpec) -> Result<NetworkAttachment, RuntimeError> {
        self.inner.net().ensure_network(&self.inner.instance, spec).await
    }

    async fn update_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        self.inner.net().update_network(&self.inner.instance, spec).await?;
        let Some(mtu) = spec.mtu else { return Ok(()) };
        let bridge = names::bridge(&self.inner.instance, &spec.name);
        for entry in self.inner.snapshot() {
            let record = entry.record();
            if record.status != Status::Running {
                continue;
            }
            for ep in record.endpoints.iter().filter(|e| e.bridge == bridge) {
                let ns = Some(record.runtime_id.as_str());
                if let Err(error) = self.inner.netlink.set_mtu(ns, &ep.iface, mtu).await {
                    // Ended meanwhile: its namespace is gone.
                    warn!(runtime_id = %record.runtime_id, %error, "cannot set a container's mtu");
                }
            }
        }
        Ok(())
    }

    async fn remove_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        self.inner.net().remove_network(&self.inner.instance, spec).await
    }

    async fn images(&self) -> Result<Vec<ImageInfo>, RuntimeError> {
        let images = image::list(&self.inner.images_dir).map_err(failed("list images"))?;
        Ok(images.into_iter().map(|i| i.info).collect())
    }

    async fn image(&self, reference: &str) -> Result<Option<ImageInfo>, RuntimeError> {
        let images = image::list(&self.inner.images_dir).map_err(failed("list images"))?;
        Ok(image::find(&images, reference).map(|i| i.info.clone()))
    }

    /// Copies the image directory `src` into the catalogue ([`import_image`]).
    async fn import_image(&self, src: &Path) -> Result<ImageInfo, RuntimeError> {
        let (images_dir, src) = (self.inner.images_dir.clone(), src.to_owned());
        let imported = tokio::task::spawn_blocking(move || import_image(&images_dir, &src))
            .await
            .map_err(failed("import image"))?;
        imported.map_err(|e| match e {
            NativeError::NotAnImage { .. }
            | NativeError::BadOciImage { .. }
            | NativeError::ManifestSyntax { .. }
            | NativeError::ManifestInvalid { .. } => RuntimeError::InvalidImage(Box::new(e)),
            NativeError::ImageExists(name) => RuntimeError::ImageExists { name },
            other => failed("import image")(other),
        })
    }

    async fn start(&self, spec: &StartSpec) -> Result<Started, RuntimeError> {
        self.inner.start(spec).await
    }

    async fn stop(
        &self,
        runtime_id: &str,
        timeout: Duration,
    ) -> Result<Option<Stopped>, RuntimeError> {
        self.inner.stop(runtime_id, timeout).await
    }

    async fn remove(&self, runtime_id: &str) -> Result<(), RuntimeError> {
        self.inner.remove(runtime_id).await
    }

    async fn list_managed(&self) -> Result<Vec<ManagedWorkload>, RuntimeError> {
        Ok(self.inner.list_managed())
    }

    async fn logs(
        &self,
        runtime_id: &str,
        tail: Option<u32>,
        max_bytes: usize,
    ) -> Result<LogOutput, RuntimeError> {
        if self.inner.entry(runtime_id).is_none() {
            return Err(RuntimeError::WorkloadNotFound(runtime_id.to_owned()));
        }
        let path = self.inner.dir(runtime_id).log();
        // Set when this future is dropped (the client went away): the read stops.
        let cancel = CancelOnDrop(Arc::new(AtomicBool::new(false)));
        let flag = Arc::clone(&cancel.0);
        tokio::task::spawn_blocking(move || {
            logs::tail(&path, tail, max_bytes, &flag).map_err(NativeError::io("read", path))
        })
        .await
        .map_err(failed("read logs"))?
        .map_err(failed("read logs"))
    }

    async fn exec(&self, runtime_id: &str, spec: &ExecSpec) -> Result<ExecOutput, RuntimeError> {
        self.inner.exec(runtime_id, spec).await
    }

    fn events(&self) -> BoxStream<'static, RuntimeEvent> {
        BroadcastStream::new(self.inner.events.subscribe())
            .filter_map(|event| futures::future::ready(event.ok()))
            .boxed()
    }
}

#[cfg(test)]
mod tests;
