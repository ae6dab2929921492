//! A workload's life: start, its end (by itself or by Stop), removal.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ipnet::Ipv4Net;
use nix::sys::signal::Signal;
use tracing::warn;

use super::error::{failed, NativeError};
use super::host;
use super::image;
use super::inner::{lock, Entry, Inner};
use super::names;
use super::record::{EndpointRecord, ProcessId, Record, Status};
use super::sandbox::kill_all;
use super::spawn::{spawn, Launch};
use crate::runtime::{RuntimeError, StartSpec, Started, Stopped};

/// The code of a workload whose supervisor left none: it was killed (128 + SIGKILL).
pub(super) const KILLED: i32 = 137;
/// The code of a workload that never got to run (its start was interrupted).
const NEVER_RAN: i32 = 255;
/// How often Stop looks whether the workload has ended.
const STOP_POLL: Duration = Duration::from_millis(50);

impl Inner {
    pub(super) async fn start(&self, spec: &StartSpec) -> Result<Started, RuntimeError> {
        let images = image::list(&self.images_dir).map_err(failed("list images"))?;
        let image = image::find(&images, &spec.image)
            .ok_or_else(|| RuntimeError::ImageNotFound(spec.image.clone()))?;
        if spec.endpoints.len() > names::MAX_ENDPOINTS {
            return Err(failed("start workload")(NativeError::TooManyEndpoints {
                max: names::MAX_ENDPOINTS,
                found: spec.endpoints.len(),
            }));
        }
        let id = self.layout.netns(&spec.pop_id);
        let launch =
            Launch::new(image, &spec.name, &spec.env, self.helper.as_deref(), &self.dir(&id))
                .map_err(failed("start workload"))?;
        if let Some(old) = self.entry(&id) {
            if !matches!(old.record().status, Status::Exited { .. }) {
                return Err(failed("start workload")(NativeError::AlreadyRunning(id)));
            }
            self.remove(&id).await?;
        }
        let record = Record {
            runtime_id: id.clone(),
            pop_id: spec.pop_id.clone(),
            name: spec.name.clone(),
            image: image.info.id.clone(),
            endpoints: endpoints(&id, spec)?,
            process: None,
            started_at: archipel_daemon::ids::now(),
            status: Status::Starting,
            limits: spec.limits,
            oom_killed: false,
        };
        let entry = Arc::new(Entry::new(record.clone()));
        let op = entry.op.lock().await;
        {
            let mut entries = lock(&self.entries);
            if entries.contains_key(&id) {
                return Err(failed("start workload")(NativeError::AlreadyRunning(id)));
            }
            entries.insert(id.clone(), entry.clone());
        }
        let started = self.launch(&entry, record.clone(), launch).await;
        if started.is_err() {
            lock(&self.entries).remove(&id);
            if let Err(error) = self.cgroups.remove(&id) {
                warn!(error = %crate::error::chain(&error), "cannot remove the cgroups of a failed start");
            }
            self.refresh_hosts(&record, None);
            if let Err(error) = self.dir(&id).remove() {
                warn!(error = %crate::error::chain(&error), "cannot remove the files of a failed start");
            }
        }
        drop(op);
        started
    }

    /// Records the workload, makes its cgroups, sets up its network, spawns it; undoes all of it
    /// on failure but the cgroups and the files (the caller's).
    async fn launch(
        &self,
        entry: &Entry,
        mut record: Record,
        mut launch: Launch,
    ) -> Result<Started, RuntimeError> {
        let id = record.runtime_id.clone();
        let dir = self.dir(&id);
        std::fs::create_dir_all(dir.path())
            .map_err(|e| failed("start workload")(NativeError::io("create", dir.path())(e)))?;
        // Written first: a popd that crashes from here on finds the record and tears it down.
        dir.save(&record).map_err(failed("start workload"))?;
        let hosts = host_veths(&record);
        // Leftovers of an earlier attempt under the same name go first.
        self.net().tear_down(&id, None, &hosts).await?;
        if !record.limits.is_unlimited() {
            launch.cgroup_procs = self
                .cgroups
                .create(&id, &record.limits)
                .map_err(|e| failed("start workload")(NativeError::Cgroup(Box::new(e))))?;
        }
        let macs = self.net().set_up(&id, &record.endpoints).await?;
        let hosts_file = self.hosts_path(&record);
        let named = hosts_file.parent().map_or(Ok(()), |parent| {
            std::fs::create_dir_all(parent).map_err(NativeError::io("create", parent))
        });
        self.refresh_hosts(&record, Some(&id));
        let spawned = match named {
            Ok(()) => spawn(&*self.host, &id, &dir, &hosts_file, launch).await,
            Err(error) => Err(failed("start workload")(error)),
        };
        let pid = match spawned {
            Ok(pid) => pid,
            Err(error) => {
                if let Err(cleanup) = self.net().tear_down(&id, None, &hosts).await {
                    warn!(%id, error = %crate::error::chain(&cleanup), "cannot undo a failed start");
                }
                return Err(error);
            }
        };
        // An unreaped child keeps its /proc entry, so its start time is there even if it
        // already ended.
        let start_time = host::any_start_time(&*self.host, pid).unwrap_or_default();
        record.process = Some(ProcessId { pid, start_time });
        record.status = Status::Running;
        if let Err(error) = dir.save(&record) {
            self.net().tear_down(&id, record.process, &hosts).await.ok();
            return Err(failed("start workload")(error));
        }
        self.save(entry, record.clone());
        Ok(Started { runtime_id: id, started_at: record.started_at, macs })
    }

    pub(super) async fn stop(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<Option<Stopped>, RuntimeError> {
        let entry = self.entry(id).ok_or_else(|| RuntimeError::WorkloadNotFound(id.to_owned()))?;
        let _op = entry.op.lock().await;
        let record = entry.record();
        let process = match (record.status, record.process) {
            (Status::Exited { code }, _) => return Ok(Some(Stopped { code, killed: false })),
            (Status::Running, Some(process)) if self.alive(process) => process,
            _ => {
                let code = self.finish(&entry).await;
                return Ok(Some(Stopped { code, killed: false }));
            }
        };
        let (host, netns) = (self.host.clone(), id.to_owned());
        tokio::task::spawn_blocking(move || {
            host::signal_all(&*host, Some(process), &netns, Signal::SIGTERM)
        })
        .await
        .ok();
        let deadline = Instant::now() + timeout;
        while self.alive(process) && Instant::now() < deadline {
            tokio::time::sleep(STOP_POLL).await;
        }
        let killed = self.alive(process);
        if killed {
            kill_all(&self.host, id, Some(process)).await;
        }
        let code = self.finish(&entry).await;
        Ok(Some(Stopped { code, killed }))
    }

    /// Marks the workload as ended with the code its supervisor wrote, kills what is left of
    /// it and tears down its network (which frees its addresses). Returns the code. The caller
    /// holds the entry's `op` lock.
    pub(super) async fn finish(&self, entry: &Entry) -> i32 {
        let mut record = entry.record();
        if let Status::Exited { code } = record.status {
            return code;
        }
        let dir = self.dir(&record.runtime_id);
        let code = match record.process {
            None => NEVER_RAN,
            Some(_) => dir.exit_code().unwrap_or(KILLED),
        };
        let id = record.runtime_id.clone();
        if let Err(error) = self.net().tear_down(&id, record.process, &host_veths(&record)).await {
            warn!(%id, error = %crate::error::chain(&error), "cannot tear down an ended workload's network");
        }
        self.reap();
        // Read before the cgroups go, which they can once nothing of the workload runs.
        record.oom_killed = self.oom_killed(&record);
        if let Err(error) = self.cgroups.remove(&id) {
            warn!(%id, error = %crate::error::chain(&error), "cannot remove an ended workload's cgroups");
        }
        record.status = Status::Exited { code };
        self.save(entry, record.clone());
        self.refresh_hosts(&record, None);
        self.exited(&record);
        code
    }

    pub(super) async fn remove(&self, id: &str) -> Result<(), RuntimeError> {
        let Some(entry) = self.entry(id) else {
            return self.remove_unrecorded(id).await;
        };
        let op = entry.op.lock().await;
        let record = entry.record();
        if record.status == Status::Running {
            kill_all(&self.host, id, record.process).await;
        }
        self.finish(&entry).await;
        // Again, in case tearing down failed when the workload ended.
        self.net().tear_down(id, None, &host_veths(&record)).await?;
        self.dir(id).remove().map_err(failed("remove workload"))?;
        lock(&self.entries).remove(id);
        drop(op);
        Ok(())
    }

    /// Removes the namespace and veths of a workload of this instance that has no record.
    pub(super) async fn remove_unrecorded(&self, netns: &str) -> Result<(), RuntimeError> {
        if !self.layout.owns(netns) {
            return Ok(());
        }
        let prefix = names::veth_prefix(netns);
        let links = self
            .netlink
            .list_links(self.site_netns.as_deref())
            .await
            .map_err(failed("remove workload"))?;
        let hosts: Vec<String> = links
            .into_iter()
            .map(|link| link.name)
            .filter(|name| name.starts_with(&prefix))
            .collect();
        self.net().tear_down(netns, None, &hosts).await?;
        self.cgroups.remove(netns).map_err(failed("remove workload"))?;
        self.dir(netns).remove().map_err(failed("remove workload"))
    }
}

fn endpoints(netns: &str, spec: &StartSpec) -> Result<Vec<EndpointRecord>, RuntimeError> {
    spec.endpoints
        .iter()
        .enumerate()
        .map(|(i, ep)| {
            Ok(EndpointRecord {
                network: ep.network.clone(),
                bridge: ep.network_runtime_id.clone(),
                host_veth: names::host_veth(netns, i),
                iface: names::container_iface(i),
                address: Ipv4Net::new(ep.address, ep.prefix_len)
                    .map_err(failed("start workload"))?,
                gateway: ep.gateway,
            })
        })
        .collect()
}

fn host_veths(record: &Record) -> Vec<String> {
    record.endpoints.iter().map(|e| e.host_veth.clone()).collect()
}
