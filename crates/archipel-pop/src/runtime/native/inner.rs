//! The native runtime's shared state: its configuration, its workloads (mirrored on disk), the
//! processes it spawned, and its event channel.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use archipel_netlink::Netlink;
use tokio::sync::broadcast;
use tracing::warn;

use super::cgroup::Hierarchy;
use super::host::{self, Host};
use super::layout::NativeLayout;
use super::record::{ProcessId, Record, Status, WorkloadDir};
use super::sandbox::Net;
use crate::runtime::RuntimeEvent;

/// One workload: `op` serialises what changes it (start, stop, exit, remove); `record` is its
/// last saved state, readable at any time.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) op: tokio::sync::Mutex<()>,
    record: Mutex<Record>,
}

impl Entry {
    pub(super) fn new(record: Record) -> Self {
        Self { op: tokio::sync::Mutex::new(()), record: Mutex::new(record) }
    }

    pub(super) fn record(&self) -> Record {
        lock(&self.record).clone()
    }
}

pub(super) struct Inner {
    pub(super) instance: String,
    /// Its state directory and the names of its namespaces.
    pub(super) layout: NativeLayout,
    pub(super) images_dir: PathBuf,
    pub(super) site_netns: Option<String>,
    pub(super) netlink: Arc<dyn Netlink>,
    pub(super) entries: Mutex<BTreeMap<String, Arc<Entry>>>,
    /// Spawns, signals and watches the workloads' processes.
    pub(super) host: Arc<dyn Host>,
    pub(super) events: broadcast::Sender<RuntimeEvent>,
    /// A running workload's log is rotated past this size.
    pub(super) log_max_bytes: u64,
    /// The program run as `container-init` and `container-enter`.
    pub(super) helper: Option<PathBuf>,
    /// Where workloads with limits get their cgroups.
    pub(super) cgroups: Hierarchy,
}

impl Inner {
    pub(super) fn net(&self) -> Net<'_> {
        Net { netlink: &*self.netlink, site: self.site_netns.as_deref(), host: &self.host }
    }

    pub(super) fn dir(&self, runtime_id: &str) -> WorkloadDir {
        self.layout.dir(runtime_id)
    }

    pub(super) fn entry(&self, runtime_id: &str) -> Option<Arc<Entry>> {
        lock(&self.entries).get(runtime_id).cloned()
    }

    pub(super) fn snapshot(&self) -> Vec<Arc<Entry>> {
        lock(&self.entries).values().cloned().collect()
    }

    /// Saves `record` as the entry's state; a failed write is logged, as the state in memory
    /// stays right and the next change writes it again.
    pub(super) fn save(&self, entry: &Entry, record: Record) {
        if let Err(error) = self.dir(&record.runtime_id).save(&record) {
            warn!(error = %crate::error::chain(&error), "cannot save a workload's state");
        }
        *lock(&entry.record) = record;
    }

    /// Reaps the supervisors that ended, so none stays a zombie.
    pub(super) fn reap(&self) {
        self.host.reap();
    }

    /// Whether the recorded process is still the one that runs under its pid.
    pub(super) fn alive(&self, process: ProcessId) -> bool {
        host::alive(&*self.host, process)
    }

    /// Whether the kernel killed `record`'s workload at its memory limit: as recorded once it
    /// ended, else read from its cgroup (it may have ended since the last poll).
    pub(super) fn oom_killed(&self, record: &Record) -> bool {
        match record.status {
            Status::Exited { .. } => record.oom_killed,
            _ => {
                record.limits.memory_bytes.is_some() && self.cgroups.oom_killed(&record.runtime_id)
            }
        }
    }

    /// Tells the subscribers that a workload ended.
    pub(super) fn exited(&self, record: &Record) {
        if let Status::Exited { code } = record.status {
            // No subscriber is fine: popd also polls list_managed.
            let _ = self.events.send(RuntimeEvent::Exited {
                pop_id: record.pop_id.clone(),
                runtime_id: record.runtime_id.clone(),
                code,
                oom_killed: record.oom_killed,
            });
        }
    }
}

/// Locks a std mutex; a panic while holding one of these leaves consistent data (each change is
/// one assignment), so poisoning is ignored.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
