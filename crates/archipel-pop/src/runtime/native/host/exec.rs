//! Collecting what a command run inside a workload writes, until it ends or its deadline.

use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::process::Child;
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
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
/// then, reading its output as it comes. Everything the command wrote is in the pipe once it
/// ended, and is read then, however late this thread runs; a process it left running in the
/// background may keep the pipe open for ever: what it writes within [`GRACE`] of the
/// command's end is kept, the rest is not waited for.
pub(super) fn collect(mut child: Child, reader: File, timeout: Duration, max: usize) -> ExecOutput {
    let mut tail = Tail::default();
    // Read without blocking, so that one thread both reads and watches the command.
    let mut open = fcntl(reader.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).is_ok();
    let deadline = Instant::now() + timeout;
    let group = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    let mut pause = FIRST_POLL;
    let (code, timed_out) = loop {
        open = open && drain(&reader, &mut tail, max);
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
    while open {
        open = drain(&reader, &mut tail, max);
        if !open || Instant::now() >= grace {
            break;
        }
        std::thread::sleep(POLL);
    }
    ExecOutput { code, output: tail.bytes, truncated: tail.truncated, timed_out }
}

/// Reads what the pipe holds now into `tail`; whether it is still open (no end of file, no
/// error).
fn drain(mut reader: &File, tail: &mut Tail, max: usize) -> bool {
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => tail.truncated |= append_tail(&mut tail.bytes, &buf[..n], max),
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

/// The exit code, or `128 + signal` for a command ended by a signal.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(KILLED)
}
