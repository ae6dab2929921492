//! What the native runtime finds by looking: ended workloads (polled), the workloads it holds,
//! and namespaces of its own that no record explains.

use std::sync::Weak;
use std::time::Duration;

use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::error::failed;
use super::inner::Inner;
use super::logs;
use super::record::Status;
use super::workload::KILLED;
use crate::runtime::{ManagedWorkload, RuntimeError, WorkloadState};

/// How often running workloads are checked.
const POLL: Duration = Duration::from_millis(200);

/// Checks the running workloads every [`POLL`] and finishes those that ended, which emits their
/// exit. Ends once the runtime is dropped.
pub(super) fn spawn_poller(inner: Weak<Inner>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Some(inner) = inner.upgrade() else { return };
            inner.poll_once().await;
            drop(inner);
            tokio::time::sleep(POLL).await;
        }
    })
}

impl Inner {
    async fn poll_once(&self) {
        self.reap();
        self.rotate_logs().await;
        for entry in self.snapshot() {
            // Busy: a start, stop or removal is under way and will settle the state itself.
            let Ok(_op) = entry.op.try_lock() else { continue };
            let record = entry.record();
            let ended = match record.status {
                Status::Running => !record.process.is_some_and(|p| self.alive(p)),
                Status::Starting => true,
                Status::Exited { .. } => false,
            };
            if ended {
                self.finish(&entry).await;
            }
        }
    }

    /// Rotates the logs of running workloads that outgrew the cap.
    async fn rotate_logs(&self) {
        let logs: Vec<_> = self
            .snapshot()
            .iter()
            .map(|entry| entry.record())
            .filter(|record| record.status == Status::Running)
            .map(|record| self.dir(&record.runtime_id).log())
            .collect();
        if logs.is_empty() {
            return;
        }
        let cap = self.log_max_bytes;
        let rotated = tokio::task::spawn_blocking(move || {
            for log in logs {
                if let Err(error) = logs::rotate_if_over(&log, cap) {
                    warn!(log = %log.display(), %error, "cannot rotate a workload's log");
                }
            }
        });
        if let Err(error) = rotated.await {
            warn!(%error, "the log rotation failed");
        }
    }

    /// Every workload of the state directory, its state looked up now.
    pub(super) fn list_managed(&self) -> Vec<ManagedWorkload> {
        self.snapshot()
            .iter()
            .map(|entry| {
                let record = entry.record();
                let state = match record.status {
                    Status::Exited { code } => WorkloadState::Exited { code },
                    Status::Starting => WorkloadState::Running,
                    Status::Running if record.process.is_some_and(|p| self.alive(p)) => {
                        WorkloadState::Running
                    }
                    // Ended since the last poll, which will finish it.
                    Status::Running => WorkloadState::Exited {
                        code: self.dir(&record.runtime_id).exit_code().unwrap_or(KILLED),
                    },
                };
                ManagedWorkload {
                    oom_killed: self.oom_killed(&record),
                    runtime_id: record.runtime_id,
                    pop_id: record.pop_id,
                    state,
                    started_at: record.started_at,
                }
            })
            .collect()
    }

    /// Removes the workloads of Pop containers not in `known_pop_ids`, then every namespace of
    /// this instance that no workload explains (and its veths). Returns the runtime ids
    /// (namespace names) removed.
    pub(super) async fn cleanup_orphans(
        &self,
        known_pop_ids: &[String],
    ) -> Result<Vec<String>, RuntimeError> {
        let mut removed = Vec::new();
        for entry in self.snapshot() {
            let record = entry.record();
            if !known_pop_ids.contains(&record.pop_id) {
                self.remove(&record.runtime_id).await?;
                info!(runtime_id = %record.runtime_id, pop_id = %record.pop_id, "removed a workload of an unknown pop container");
                removed.push(record.runtime_id);
            }
        }
        removed.extend(self.sweep_namespaces().await?);
        Ok(removed)
    }

    /// Removes the namespaces named for this instance that have no record.
    pub(super) async fn sweep_namespaces(&self) -> Result<Vec<String>, RuntimeError> {
        // Listed before the records are looked at: a start records its workload before it makes
        // the namespace, so a namespace listed here that has no record has none for good.
        let namespaces = self.netlink.list_netns().await.map_err(failed("list namespaces"))?;
        let mut removed = Vec::new();
        for netns in namespaces {
            if self.layout.owns(&netns) && self.entry(&netns).is_none() {
                self.remove_unrecorded(&netns).await?;
                info!(%netns, "removed a network namespace that belongs to no workload");
                removed.push(netns);
            }
        }
        Ok(removed)
    }

    /// After a restart: finishes the workloads whose start was interrupted, then sweeps.
    /// Running workloads are left alone (re-adopted); those that ended while popd was down are
    /// finished by the first poll.
    pub(super) async fn recover(&self) -> Result<(), RuntimeError> {
        for entry in self.snapshot() {
            if entry.record().status == Status::Starting {
                let _op = entry.op.lock().await;
                let code = self.finish(&entry).await;
                warn!(runtime_id = %entry.record().runtime_id, code, "a workload's start was interrupted; it was torn down");
            }
        }
        self.sweep_namespaces().await.map(drop)
    }
}
