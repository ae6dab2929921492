//! Collecting what a command run inside a workload writes, until it ends or its deadline.

use std::fs::File;
use std::io::Read;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::runtime::{append_tail, ExecOutput};

/// How often the command is looked at: first soon, since most commands are short, then less
/// and less often, up to [`POLL`].
const FIRST_POLL: Duration = Duration::from_micros(250);
const POLL: Duration = Duration::from_millis(10);
/// After the command ends, how long what it left running may still write to its output.
const GRACE: Duration = Duration::from_millis(100);
/// `128 + SIGKILL`: the code of a command killed at its deadline.
const KILLED: i32 = 137;

/// The last `max` bytes written, and whether earlier ones were dropped.
#[derive(Default)]
struct Tail {
    bytes: Vec<u8>,
    truncated: bool,
}

/// Waits for `child` (the leader of its own process group) until `timeout`, killing the group
/// then; the output is read by a thread of its own, since a process the command left running
/// in the background may keep the pipe open for ever: what it wrote within [`GRACE`] of the
/// command's end is kept, the rest is not waited for.
pub(super) fn collect(mut child: Child, reader: File, timeout: Duration, max: usize) -> ExecOutput {
    let tail = Arc::new(Mutex::new(Tail::default()));
    let reading = {
        let tail = Arc::clone(&tail);
        std::thread::spawn(move || read_into(reader, &tail, max))
    };
    let deadline = Instant::now() + timeout;
    let group = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    let mut pause = FIRST_POLL;
    let (code, timed_out) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (exit_code(status), false),
            Ok(None) if Instant::now() >= deadline => {
                let _ = killpg(group, Signal::SIGKILL);
                let _ = child.wait();
                break (KILLED, true);
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(POLL);
            }
            Err(_) => break (KILLED, false),
        }
    };
    let grace = Instant::now() + GRACE;
    while !reading.is_finished() && Instant::now() < grace {
        std::thread::sleep(POLL);
    }
    let tail = tail.lock().unwrap_or_else(|p| p.into_inner());
    ExecOutput { code, output: tail.bytes.clone(), truncated: tail.truncated, timed_out }
}

fn read_into(mut reader: File, tail: &Mutex<Tail>, max: usize) {
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                let dropped = append_tail(&mut tail.bytes, &buf[..n], max);
                tail.truncated |= dropped;
            }
        }
    }
}

/// The exit code, or `128 + signal` for a command ended by a signal.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(KILLED)
}
