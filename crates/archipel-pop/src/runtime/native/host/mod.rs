//! The native runtime's seam to the host's processes: spawning a supervisor inside a
//! namespace, reading /proc, signalling, reaping. [`SysHost`] does it for real; the runtime's
//! logic above it (re-adoption, stop, state mapping) is unit-tested without root against the
//! recording [`fake::FakeHost`].

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use archipel_netlink::{in_netns_async, netns_path};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use super::error::NativeError;
use super::inner::lock;
use super::record::ProcessId;
use crate::runtime::{ExecOutput, RuntimeError};

mod exec;
#[cfg(test)]
pub(super) mod fake;
mod procfs;

/// What the native runtime asks of the host's processes.
#[async_trait::async_trait]
pub(super) trait Host: Send + Sync + 'static {
    /// Spawns `command` inside the network namespace `netns` and returns its pid; the host
    /// keeps the child until [`Host::reap`] finds it ended.
    async fn spawn(&self, netns: &str, command: Command) -> Result<u32, RuntimeError>;
    /// State (field 3) and start time (field 22) of `/proc/PID/stat`; None: no such process.
    fn stat(&self, pid: u32) -> Option<(char, u64)>;
    /// Every process in the network namespace `netns`, like `ip netns pids NETNS`.
    fn netns_members(&self, netns: &str) -> Vec<u32>;
    /// Sends `signal` to `pid`, or with `group` to the process group it leads; whether it was
    /// delivered.
    fn signal(&self, pid: u32, signal: Signal, group: bool) -> bool;
    /// Reaps the spawned children that ended, so none stays a zombie.
    fn reap(&self);
    /// Runs `command` inside `netns` in a process group of its own, its standard output and
    /// error collected (the last `max_bytes`), the group killed at `timeout`.
    async fn run(
        &self,
        netns: &str,
        command: Command,
        timeout: Duration,
        max_bytes: usize,
    ) -> Result<ExecOutput, RuntimeError>;
}

/// The start time of a running process (a zombie has ended).
pub(super) fn start_time(host: &dyn Host, pid: u32) -> Option<u64> {
    host.stat(pid).filter(|(state, _)| *state != 'Z').map(|(_, start)| start)
}

/// The start time of a process, ended (a zombie) or not.
pub(super) fn any_start_time(host: &dyn Host, pid: u32) -> Option<u64> {
    host.stat(pid).map(|(_, start)| start)
}

/// Whether the recorded process is still the one that runs under its pid.
pub(super) fn alive(host: &dyn Host, process: ProcessId) -> bool {
    start_time(host, process.pid) == Some(process.start_time)
}

/// Sends `signal` to the group the recorded process leads, if it still runs, and to every
/// process of the namespace (which catches those that left the group). Returns whether any
/// process was signalled.
pub(super) fn signal_all(
    host: &dyn Host,
    leader: Option<ProcessId>,
    netns: &str,
    signal: Signal,
) -> bool {
    let mut any = false;
    if let Some(leader) = leader.filter(|p| alive(host, *p)) {
        any |= host.signal(leader.pid, signal, true);
    }
    for member in host.netns_members(netns) {
        any |= host.signal(member, signal, false);
    }
    any
}

/// The host itself.
#[derive(Debug, Default)]
pub(super) struct SysHost {
    /// Supervisors spawned by this process, reaped as they end.
    children: Mutex<Vec<Child>>,
}

#[async_trait::async_trait]
impl Host for SysHost {
    async fn spawn(&self, netns: &str, mut command: Command) -> Result<u32, RuntimeError> {
        let spawned = in_netns_async(Some(netns), move || command.spawn()).await.map_err(|e| {
            RuntimeError::Failed {
                op: "enter the workload's network namespace",
                source: Box::new(e),
            }
        })?;
        let child = spawned.map_err(|e| RuntimeError::Failed {
            op: "start workload",
            source: Box::new(NativeError::Spawn(e)),
        })?;
        let pid = child.id();
        lock(&self.children).push(child);
        Ok(pid)
    }

    fn stat(&self, pid: u32) -> Option<(char, u64)> {
        procfs::stat(pid)
    }

    fn netns_members(&self, netns: &str) -> Vec<u32> {
        procfs::netns_members(&netns_path(netns))
    }

    fn signal(&self, pid: u32, signal: Signal, group: bool) -> bool {
        let pid = Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX));
        if group { killpg(pid, signal) } else { kill(pid, signal) }.is_ok()
    }

    fn reap(&self) {
        lock(&self.children).retain_mut(|child| matches!(child.try_wait(), Ok(None)));
    }

    async fn run(
        &self,
        netns: &str,
        mut command: Command,
        timeout: Duration,
        max_bytes: usize,
    ) -> Result<ExecOutput, RuntimeError> {
        let failed = |e: std::io::Error| RuntimeError::Failed {
            op: "run a command in the workload",
            source: Box::new(NativeError::ExecSpawn(e)),
        };
        let (reader, writer) = exec::output_pipe().map_err(|e| failed(e.into()))?;
        let err_writer = writer.try_clone().map_err(failed)?;
        command.stdin(Stdio::null()).stdout(writer).stderr(err_writer).process_group(0);
        // The closure owns the command, so the parent's ends of the pipe close with it.
        let spawned = in_netns_async(Some(netns), move || command.spawn()).await.map_err(|e| {
            RuntimeError::Failed {
                op: "enter the workload's network namespace",
                source: Box::new(e),
            }
        })?;
        let child = spawned.map_err(failed)?;
        tokio::task::spawn_blocking(move || exec::collect(child, reader, timeout, max_bytes))
            .await
            .map_err(|e| RuntimeError::Failed {
                op: "run a command in the workload",
                source: Box::new(e),
            })
    }
}
