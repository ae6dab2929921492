//! What the native runtime remembers of each workload, one directory per workload under
//! `STATE_DIR/workloads/RUNTIME_ID/`:
//!
//! - `state.json`: the [`Record`], rewritten whole (written aside, then renamed);
//! - `output.log`: the workload's stdout and stderr;
//! - `exit`: the workload's exit code, written by its supervisor when it ends;
//! - `work/`: the workload's working directory;
//! - `hosts`: the workload's `/etc/hosts` (see `hosts`);
//! - with a root filesystem: `root/` (where its root is mounted, in its own mount namespace
//!   only), `upper/` (what it wrote there) and `overlay-work/` (the overlay's scratch space).

use std::fs;
use std::io::ErrorKind;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use tracing::warn;

use super::error::NativeError;
use crate::runtime::Limits;

/// A process, told apart from a later one that reuses its pid by its start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessId {
    pub pid: u32,
    /// Clock ticks after boot: field 22 of `/proc/PID/stat`.
    pub start_time: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(super) enum Status {
    /// Being set up; a record left so by a crashed popd is torn down at the next start.
    Starting,
    Running,
    Exited {
        code: i32,
    },
}

/// One endpoint as set up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct EndpointRecord {
    pub(super) network: String,
    pub(super) bridge: String,
    pub(super) host_veth: String,
    pub(super) iface: String,
    pub(super) address: Ipv4Net,
    pub(super) gateway: Ipv4Addr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Record {
    /// Also the name of the workload's network namespace.
    pub(super) runtime_id: String,
    pub(super) pop_id: String,
    pub(super) name: String,
    pub(super) image: String,
    pub(super) endpoints: Vec<EndpointRecord>,
    pub(super) process: Option<ProcessId>,
    /// Unix seconds.
    pub(super) started_at: i64,
    #[serde(flatten)]
    pub(super) status: Status,
    /// Its flavour's limits: when there are any, it has a cgroup (see `cgroup`).
    #[serde(default)]
    pub(super) limits: Limits,
    /// Once it ended: the kernel killed it at its memory limit.
    #[serde(default)]
    pub(super) oom_killed: bool,
}

/// The files of one workload.
#[derive(Debug, Clone)]
pub(super) struct WorkloadDir(PathBuf);

impl WorkloadDir {
    pub(super) fn new(state_dir: &Path, runtime_id: &str) -> Self {
        Self(workloads(state_dir).join(runtime_id))
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }

    pub(super) fn state(&self) -> PathBuf {
        self.0.join("state.json")
    }

    pub(super) fn log(&self) -> PathBuf {
        self.0.join("output.log")
    }

    pub(super) fn exit(&self) -> PathBuf {
        self.0.join("exit")
    }

    pub(super) fn work(&self) -> PathBuf {
        self.0.join("work")
    }

    /// Where the workload's root is mounted (see `spawn`).
    pub(super) fn root(&self) -> PathBuf {
        self.0.join("root")
    }

    pub(super) fn hosts(&self) -> PathBuf {
        self.0.join("hosts")
    }

    /// Writes the record, atomically.
    pub(super) fn save(&self, record: &Record) -> Result<(), NativeError> {
        let json = serde_json::to_vec_pretty(record)
            .map_err(|source| NativeError::RecordSyntax { path: self.state(), source })?;
        let staged = self.0.join("state.json.new");
        fs::write(&staged, json).map_err(NativeError::io("write", &staged))?;
        fs::rename(&staged, self.state()).map_err(NativeError::io("write", self.state()))
    }

    fn load(&self) -> Result<Record, NativeError> {
        let path = self.state();
        let bytes = fs::read(&path).map_err(NativeError::io("read", &path))?;
        serde_json::from_slice(&bytes).map_err(|source| NativeError::RecordSyntax { path, source })
    }

    /// The code the supervisor wrote, if it did (an empty file is one still being written).
    pub(super) fn exit_code(&self) -> Option<i32> {
        fs::read_to_string(self.exit()).ok()?.trim().parse().ok()
    }

    /// Removes the directory and all it holds; Ok if it is already gone.
    pub(super) fn remove(&self) -> Result<(), NativeError> {
        match fs::remove_dir_all(&self.0) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(NativeError::io("remove", &self.0)(e)),
            _ => Ok(()),
        }
    }
}

fn workloads(state_dir: &Path) -> PathBuf {
    state_dir.join("workloads")
}

/// The runtime ids that have a directory under `state_dir`; none if it does not exist.
pub(super) fn recorded_ids(state_dir: &Path) -> Result<Vec<String>, NativeError> {
    let dir = workloads(state_dir);
    let entries = match fs::read_dir(&dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        entries => entries.map_err(NativeError::io("list", &dir))?,
    };
    let mut ids = Vec::new();
    for entry in entries {
        let entry = entry.map_err(NativeError::io("list", &dir))?;
        ids.extend(entry.file_name().into_string().ok());
    }
    ids.sort();
    Ok(ids)
}

/// Every readable record under `state_dir`; an unreadable one is skipped with a warning (its
/// namespace then counts as an orphan).
pub(super) fn load_all(state_dir: &Path) -> Result<Vec<Record>, NativeError> {
    let dir = workloads(state_dir);
    fs::create_dir_all(&dir).map_err(NativeError::io("create", &dir))?;
    let entries = fs::read_dir(&dir).map_err(NativeError::io("list", &dir))?;
    let mut records = Vec::new();
    for entry in entries {
        let entry = entry.map_err(NativeError::io("list", &dir))?;
        let Ok(id) = entry.file_name().into_string() else { continue };
        match WorkloadDir::new(state_dir, &id).load() {
            Ok(record) if record.runtime_id == id => records.push(record),
            Ok(_) => warn!(%id, "a workload record names another workload; ignoring it"),
            Err(error) => warn!(error = %crate::error::chain(&error), "ignoring a workload record"),
        }
    }
    records.sort_by(|a, b| a.runtime_id.cmp(&b.runtime_id));
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, status: Status) -> Record {
        Record {
            runtime_id: id.to_owned(),
            pop_id: format!("pop-{id}"),
            name: "c".to_owned(),
            image: "sha256:00".to_owned(),
            endpoints: vec![EndpointRecord {
                network: "private".to_owned(),
                bridge: "apb0".to_owned(),
                host_veth: "apv0".to_owned(),
                iface: "eth0".to_owned(),
                address: "10.0.0.2/24".parse().unwrap(),
                gateway: "10.0.0.1".parse().unwrap(),
            }],
            process: Some(ProcessId { pid: 42, start_time: 7 }),
            started_at: 1,
            status,
            limits: Default::default(),
            oom_killed: false,
        }
    }

    #[test]
    fn saves_and_loads_records() {
        let root = tempfile::tempdir().unwrap();
        let a = record("a", Status::Running);
        let b = record("b", Status::Exited { code: 3 });
        for r in [&b, &a] {
            let dir = WorkloadDir::new(root.path(), &r.runtime_id);
            fs::create_dir_all(dir.path()).unwrap();
            dir.save(r).unwrap();
        }
        fs::create_dir_all(root.path().join("workloads/garbage")).unwrap();
        fs::write(root.path().join("workloads/garbage/state.json"), "{").unwrap();
        assert_eq!(load_all(root.path()).unwrap(), [a, b]);
        let text = fs::read_to_string(WorkloadDir::new(root.path(), "b").state()).unwrap();
        assert!(text.contains("\"status\": \"exited\""), "{text}");
    }

    #[test]
    fn reads_the_exit_code_only_once_written() {
        let root = tempfile::tempdir().unwrap();
        let dir = WorkloadDir::new(root.path(), "a");
        fs::create_dir_all(dir.path()).unwrap();
        assert_eq!(dir.exit_code(), None);
        fs::write(dir.exit(), "").unwrap();
        assert_eq!(dir.exit_code(), None);
        fs::write(dir.exit(), "143\n").unwrap();
        assert_eq!(dir.exit_code(), Some(143));
        dir.remove().unwrap();
        dir.remove().unwrap();
        assert!(!dir.path().exists());
    }
}
