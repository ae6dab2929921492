//! A host that runs nothing: a table of make-believe processes that spawning adds to and
//! signals act on, recording every spawn and signal, so the runtime's logic is tested without
//! root. Tests make processes appear, end or ignore SIGTERM through its own methods.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use nix::sys::signal::Signal;

use super::Host;
use crate::runtime::{ExecOutput, RuntimeError};

/// A command as spawned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spawned {
    pub(crate) netns: String,
    pub(crate) program: String,
    pub(crate) args: Vec<String>,
    pub(crate) env: BTreeMap<String, String>,
    pub(crate) cwd: Option<PathBuf>,
}

#[derive(Debug)]
struct Process {
    start_time: u64,
    netns: Option<String>,
    /// The leader of its process group.
    group: u32,
    ignores_term: bool,
}

#[derive(Debug, Default)]
struct State {
    next_pid: u32,
    processes: BTreeMap<u32, Process>,
    spawned: Vec<Spawned>,
    signals: Vec<(u32, Signal, bool)>,
    fail_spawns: bool,
}

#[derive(Debug, Default)]
pub(crate) struct FakeHost(Mutex<State>);

impl FakeHost {
    pub(crate) fn new() -> Self {
        Self(Mutex::new(State { next_pid: 1000, ..State::default() }))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A process already running (one a restarted popd finds), leading its own group.
    pub(crate) fn add(&self, pid: u32, start_time: u64, netns: Option<&str>) {
        let netns = netns.map(str::to_owned);
        let process = Process { start_time, netns, group: pid, ignores_term: false };
        self.lock().processes.insert(pid, process);
    }

    /// The process ends by itself (and is reaped).
    pub(crate) fn end(&self, pid: u32) {
        self.lock().processes.remove(&pid);
    }

    /// The process (a stubborn workload) survives SIGTERM.
    pub(crate) fn ignore_term(&self, pid: u32) {
        if let Some(p) = self.lock().processes.get_mut(&pid) {
            p.ignores_term = true;
        }
    }

    /// Every later spawn fails.
    pub(crate) fn fail_spawns(&self) {
        self.lock().fail_spawns = true;
    }

    pub(crate) fn running(&self, pid: u32) -> bool {
        self.lock().processes.contains_key(&pid)
    }

    pub(crate) fn spawned(&self) -> Vec<Spawned> {
        self.lock().spawned.clone()
    }

    /// (pid, signal, to its group) of every signal delivered, in order.
    pub(crate) fn signals(&self) -> Vec<(u32, Signal, bool)> {
        self.lock().signals.clone()
    }
}

#[async_trait::async_trait]
impl Host for FakeHost {
    async fn spawn(&self, netns: &str, command: Command) -> Result<u32, RuntimeError> {
        let text = |s: &std::ffi::OsStr| s.to_string_lossy().into_owned();
        let mut s = self.lock();
        if s.fail_spawns {
            let source = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
            return Err(RuntimeError::Failed { op: "start workload", source: Box::new(source) });
        }
        s.spawned.push(Spawned {
            netns: netns.to_owned(),
            program: text(command.get_program()),
            args: command.get_args().map(text).collect(),
            env: command.get_envs().filter_map(|(k, v)| Some((text(k), text(v?)))).collect(),
            cwd: command.get_current_dir().map(PathBuf::from),
        });
        let pid = s.next_pid;
        s.next_pid += 1;
        let process = Process {
            start_time: u64::from(pid) * 10,
            netns: Some(netns.to_owned()),
            group: pid,
            ignores_term: false,
        };
        s.processes.insert(pid, process);
        Ok(pid)
    }

    fn stat(&self, pid: u32) -> Option<(char, u64)> {
        self.lock().processes.get(&pid).map(|p| ('S', p.start_time))
    }

    fn netns_members(&self, netns: &str) -> Vec<u32> {
        let s = self.lock();
        s.processes
            .iter()
            .filter(|(_, p)| p.netns.as_deref() == Some(netns))
            .map(|(pid, _)| *pid)
            .collect()
    }

    fn signal(&self, pid: u32, signal: Signal, group: bool) -> bool {
        let mut s = self.lock();
        let targets: Vec<u32> = s
            .processes
            .iter()
            .filter(|(p, proc)| if group { proc.group == pid } else { **p == pid })
            .map(|(p, _)| *p)
            .collect();
        if targets.is_empty() {
            return false;
        }
        s.signals.push((pid, signal, group));
        for target in targets {
            let ignores = s.processes[&target].ignores_term;
            if signal == Signal::SIGKILL || (signal == Signal::SIGTERM && !ignores) {
                s.processes.remove(&target);
            }
        }
        true
    }

    fn reap(&self) {}

    /// Runs nothing: answers the command line, as `echo` would.
    async fn run(
        &self,
        _netns: &str,
        command: Command,
        _timeout: std::time::Duration,
        _max_bytes: usize,
    ) -> Result<ExecOutput, RuntimeError> {
        let text = |s: &std::ffi::OsStr| s.to_string_lossy().into_owned();
        let line: Vec<String> = std::iter::once(text(command.get_program()))
            .chain(command.get_args().map(text))
            .collect();
        let output = format!("{}\n", line.join(" ")).into_bytes();
        Ok(ExecOutput { code: 0, output, truncated: false, timed_out: false })
    }
}
