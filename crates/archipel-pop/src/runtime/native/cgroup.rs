//! A workload's cgroups, which hold its flavour's limits: `archipel/RUNTIME_ID` under each
//! controller on a cgroup v1 hierarchy (memory, cpu, pids; the hybrid layout Debian 12 boots
//! with included), or one under the unified v2 hierarchy. A workload whose flavour has no limit
//! gets none (the thesis's `docker.container`), as before. The supervisor moves itself in
//! before anything runs (so every process of the workload is counted), and so does each
//! command run inside (`container-enter`).

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::error::NativeError;
use crate::runtime::Limits;

/// Where the kernel's cgroup file systems are mounted.
pub(super) const ROOT: &str = "/sys/fs/cgroup";
/// The CFS period the CPU quota is written against (the kernel's default), in microseconds.
const PERIOD_US: u64 = 100_000;

/// The layout of the cgroup file systems under a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Hierarchy {
    /// One file system per controller: `ROOT/memory`, `ROOT/cpu`, `ROOT/pids`.
    V1(PathBuf),
    /// The unified hierarchy at `ROOT`.
    V2(PathBuf),
}

impl Hierarchy {
    /// v2 when `ROOT/cgroup.controllers` exists (the whole tree is unified), else v1.
    pub(super) fn detect(root: &Path) -> Self {
        if root.join("cgroup.controllers").is_file() {
            Self::V2(root.to_owned())
        } else {
            Self::V1(root.to_owned())
        }
    }

    /// The workload's cgroup directories (whether or not they exist).
    pub(super) fn dirs(&self, runtime_id: &str) -> Vec<PathBuf> {
        match self {
            Self::V1(root) => ["memory", "cpu", "pids"]
                .iter()
                .map(|c| root.join(c).join("archipel").join(runtime_id))
                .collect(),
            Self::V2(root) => vec![root.join("archipel").join(runtime_id)],
        }
    }

    /// Makes the workload's cgroups with `limits` and returns their `cgroup.procs` files, which
    /// the supervisor writes itself into; removes what it made on failure. Equals (v1) `mkdir
    /// -p ROOT/memory/archipel/ID; echo BYTES > …/memory.limit_in_bytes; echo BYTES >
    /// …/memory.memsw.limit_in_bytes; echo QUOTA > ROOT/cpu/archipel/ID/cpu.cfs_quota_us; echo
    /// N > ROOT/pids/archipel/ID/pids.max`, or (v2) `echo +memory +cpu +pids >
    /// ROOT/cgroup.subtree_control` (and `ROOT/archipel`'s), `mkdir ROOT/archipel/ID`, then
    /// `memory.max`, `memory.swap.max` (0), `cpu.max` (`QUOTA 100000`), `pids.max`.
    pub(super) fn create(
        &self,
        runtime_id: &str,
        limits: &Limits,
    ) -> Result<Vec<PathBuf>, NativeError> {
        let made = self.try_create(runtime_id, limits);
        if made.is_err() {
            self.remove(runtime_id).ok();
        }
        made
    }

    fn try_create(&self, runtime_id: &str, limits: &Limits) -> Result<Vec<PathBuf>, NativeError> {
        let quota = limits.cpu_millis.map(|m| m * PERIOD_US / 1000);
        match self {
            Self::V1(root) => {
                let dir = |c: &str| root.join(c).join("archipel").join(runtime_id);
                let (memory, cpu, pids) = (dir("memory"), dir("cpu"), dir("pids"));
                for d in [&memory, &cpu, &pids] {
                    fs::create_dir_all(d).map_err(NativeError::io("create", d))?;
                }
                if let Some(bytes) = limits.memory_bytes {
                    write(&memory.join("memory.limit_in_bytes"), bytes)?;
                    // Absent without swap accounting; where it is, no swap beyond the limit.
                    let memsw = memory.join("memory.memsw.limit_in_bytes");
                    if memsw.exists() {
                        write(&memsw, bytes)?;
                    }
                }
                if let Some(quota) = quota {
                    write(&cpu.join("cpu.cfs_period_us"), PERIOD_US)?;
                    write(&cpu.join("cpu.cfs_quota_us"), quota)?;
                }
                if let Some(n) = limits.pids {
                    write(&pids.join("pids.max"), n)?;
                }
                Ok([memory, cpu, pids].iter().map(|d| d.join("cgroup.procs")).collect())
            }
            Self::V2(root) => {
                let parent = root.join("archipel");
                enable_controllers(root)?;
                fs::create_dir_all(&parent).map_err(NativeError::io("create", &parent))?;
                enable_controllers(&parent)?;
                let dir = parent.join(runtime_id);
                fs::create_dir_all(&dir).map_err(NativeError::io("create", &dir))?;
                if let Some(bytes) = limits.memory_bytes {
                    write(&dir.join("memory.max"), bytes)?;
                    let swap = dir.join("memory.swap.max");
                    if swap.exists() {
                        write(&swap, 0)?;
                    }
                }
                if let Some(quota) = quota {
                    let max = dir.join("cpu.max");
                    fs::write(&max, format!("{quota} {PERIOD_US}"))
                        .map_err(NativeError::io("write", &max))?;
                }
                if let Some(n) = limits.pids {
                    write(&dir.join("pids.max"), n)?;
                }
                Ok(vec![dir.join("cgroup.procs")])
            }
        }
    }

    /// Whether the kernel killed a process of the workload for memory: the `oom_kill` count of
    /// `memory.oom_control` (v1) or `memory.events` (v2).
    pub(super) fn oom_killed(&self, runtime_id: &str) -> bool {
        let file = match self {
            Self::V1(root) => {
                root.join("memory").join("archipel").join(runtime_id).join("memory.oom_control")
            }
            Self::V2(root) => root.join("archipel").join(runtime_id).join("memory.events"),
        };
        let text = fs::read_to_string(file).unwrap_or_default();
        text.lines()
            .filter_map(|line| line.strip_prefix("oom_kill "))
            .any(|count| count.trim().parse::<u64>().is_ok_and(|n| n > 0))
    }

    /// Removes the workload's cgroups (they must hold no process); what is gone is skipped.
    /// Equals `rmdir ROOT/*/archipel/ID`.
    pub(super) fn remove(&self, runtime_id: &str) -> Result<(), NativeError> {
        let mut first = None;
        for dir in self.dirs(runtime_id) {
            match fs::remove_dir(&dir) {
                Err(e) if e.kind() != ErrorKind::NotFound => {
                    first.get_or_insert(NativeError::io("remove", &dir)(e));
                }
                _ => {}
            }
        }
        first.map_or(Ok(()), Err)
    }
}

fn write(path: &Path, value: u64) -> Result<(), NativeError> {
    fs::write(path, value.to_string()).map_err(NativeError::io("write", path))
}

/// Lets `dir`'s children use the memory, cpu and pids controllers (v2).
fn enable_controllers(dir: &Path) -> Result<(), NativeError> {
    let control = dir.join("cgroup.subtree_control");
    let enabled = fs::read_to_string(&control).map_err(NativeError::io("read", &control))?;
    let missing: Vec<String> = ["memory", "cpu", "pids"]
        .iter()
        .filter(|c| !enabled.split_whitespace().any(|e| e == **c))
        .map(|c| format!("+{c}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    fs::write(&control, missing.join(" ")).map_err(NativeError::io("write", &control))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits { memory_bytes: Some(64 << 20), cpu_millis: Some(500), pids: Some(32) }
    }

    fn read(path: PathBuf) -> String {
        fs::read_to_string(path).unwrap()
    }

    #[test]
    fn v1_writes_each_limit_under_its_controller() {
        let root = tempfile::tempdir().unwrap();
        let h = Hierarchy::detect(root.path());
        assert_eq!(h, Hierarchy::V1(root.path().to_owned()));
        let procs = h.create("ns-1", &limits()).unwrap();
        let dir = |c: &str| root.path().join(c).join("archipel/ns-1");
        assert_eq!(procs, ["memory", "cpu", "pids"].map(|c| dir(c).join("cgroup.procs")));
        assert_eq!(read(dir("memory").join("memory.limit_in_bytes")), "67108864");
        assert_eq!(read(dir("cpu").join("cpu.cfs_quota_us")), "50000");
        assert_eq!(read(dir("cpu").join("cpu.cfs_period_us")), "100000");
        assert_eq!(read(dir("pids").join("pids.max")), "32");
        assert!(!h.oom_killed("ns-1"));
        fs::write(
            dir("memory").join("memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
        )
        .unwrap();
        assert!(h.oom_killed("ns-1"));
        // A real cgroup directory holds only kernel files, which rmdir ignores; here, clear them.
        for c in ["memory", "cpu", "pids"] {
            for f in fs::read_dir(dir(c)).unwrap() {
                fs::remove_file(f.unwrap().path()).unwrap();
            }
        }
        h.remove("ns-1").unwrap();
        assert!(!dir("memory").exists() && !dir("pids").exists());
        h.remove("ns-1").unwrap();
    }

    #[test]
    fn v2_enables_the_controllers_and_writes_one_cgroup() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("cgroup.controllers"), "cpu memory pids").unwrap();
        fs::write(root.path().join("cgroup.subtree_control"), "memory").unwrap();
        fs::create_dir(root.path().join("archipel")).unwrap();
        fs::write(root.path().join("archipel/cgroup.subtree_control"), "").unwrap();
        let h = Hierarchy::detect(root.path());
        let procs = h.create("ns-2", &limits()).unwrap();
        let dir = root.path().join("archipel/ns-2");
        assert_eq!(procs, vec![dir.join("cgroup.procs")]);
        // A file stands for the kernel's: what was written is what it holds.
        assert_eq!(read(root.path().join("cgroup.subtree_control")), "+cpu +pids");
        assert_eq!(read(dir.join("memory.max")), "67108864");
        assert_eq!(read(dir.join("cpu.max")), "50000 100000");
        assert_eq!(read(dir.join("pids.max")), "32");
        fs::write(dir.join("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n").unwrap();
        assert!(h.oom_killed("ns-2"));
    }

    #[test]
    fn a_failed_create_leaves_no_cgroup() {
        let root = tempfile::tempdir().unwrap();
        // `cpu` is a file: its cgroup cannot be made.
        fs::write(root.path().join("cpu"), "").unwrap();
        let h = Hierarchy::V1(root.path().to_owned());
        h.create("ns-3", &limits()).unwrap_err();
        assert!(!root.path().join("memory/archipel/ns-3").exists());
    }
}
