//! Collecting what a command run inside a workload writes, until it ends or its deadline.

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::Child;
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::{pipe2, Pid};

use crate::runtime::{append_tail, ExecOutput};

/// How often the command is looked at: first soon, since most commands are short, then less
/// and less often, up to [`POLL`].
const FIRST_POLL: Duration = Duration::from_micros(250);
const POLL: Duration = Duration::from_millis(10);
/// After the command ends, how long what it left running may still write to its output.
const GRACE: Duration = Duration::from_millis(100);
/// The most one read round takes: more than a pipe holds (64 KiB), so that a round after the
/// command's end reads all it left.
const ROUND: usize = 256 * 1024;
/// `128 + SIGKILL`: the code of a command killed at its deadline.
const KILLED: i32 = 137;

/// The last `max` bytes written, and whether earlier ones were dropped.
#[derive(Default)]
struct Tail {
    bytes: Vec<u8>,
    truncated: bool,
}

/// A pipe for a command's output: close-on-exec, so that no other workload started meanwhile
/// holds it open (the command's stdout and stderr are copies, which exec keeps); its read end
/// does not block, so that one thread both reads it and watches the command.
pub(super) fn output_pipe() -> nix::Result<(File, OwnedFd)> {
    let (reader, writer) = pipe2(OFlag::O_CLOEXEC)?;
    let flags = OFlag::from_bits_retain(fcntl(reader.as_raw_fd(), FcntlArg::F_GETFL)?);
    fcntl(reader.as_raw_fd(), FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    Ok((File::from(reader), writer))
}

/// Waits for `child` (the leader of its own process group) until `timeout`, killing the group
/// then, reading its output from `reader` (the non-blocking read end of its pipe) as it comes.
/// Everything the command wrote is in the pipe once it ended, and is read then, however late
/// this thread runs; a process it left running in the background may keep the pipe open for
/// ever: what it writes within [`GRACE`] of the command's end is kept, the rest is not waited
/// for. Each read round takes at most [`ROUND`] bytes, so that a command that writes without
/// pause can neither keep the deadline from being looked at nor hold the thread for ever.
pub(super) fn collect(mut child: Child, reader: File, timeout: Duration, max: usize) -> ExecOutput {
    let mut tail = Tail::default();
    let mut open = true;
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

/// Reads what the pipe holds now, at most [`ROUND`] bytes, into `tail`; whether it is still
/// open (no end of file, no error).
fn drain(mut reader: &File, tail: &mut Tail, max: usize) -> bool {
    let mut buf = [0u8; 8192];
    let mut taken = 0;
    while taken < ROUND {
        match reader.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => {
                taken += n;
                tail.truncated |= append_tail(&mut tail.bytes, &buf[..n], max);
            }
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    true
}

/// The exit code, or `128 + signal` for a command ended by a signal.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(KILLED)
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    use super::*;

    /// Runs `script` with `sh -c` as the native runtime runs a command, and collects it.
    fn run(script: &str, timeout: Duration, max: usize) -> ExecOutput {
        let (reader, writer) = output_pipe().unwrap();
        let err = writer.try_clone().unwrap();
        let child = Command::new("sh")
            .args(["-c", script])
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(err)
            .process_group(0)
            .spawn()
            .unwrap();
        let group = Pid::from_raw(i32::try_from(child.id()).unwrap());
        let out = collect(child, reader, timeout, max);
        // What the command left running goes with the test.
        let _ = killpg(group, Signal::SIGKILL);
        out
    }

    #[test]
    fn all_a_command_wrote_is_kept_even_past_a_pipe_full() {
        let out = run("head -c 200000 /dev/zero; echo end >&2", Duration::from_secs(30), 1 << 20);
        assert_eq!((out.code, out.timed_out, out.truncated), (0, false, false));
        assert_eq!(out.output.len(), 200_004);
        assert!(out.output.ends_with(b"end\n"));
    }

    #[test]
    fn a_command_that_never_stops_writing_is_ended_at_its_deadline() {
        let out = run("while :; do echo y; done", Duration::from_millis(300), 4096);
        assert_eq!((out.code, out.timed_out, out.truncated), (KILLED, true, true));
        assert_eq!(out.output.len(), 4096);
    }

    #[test]
    fn a_writer_left_in_the_background_does_not_hold_the_answer() {
        let out = run("(while :; do echo y; done) & echo started", Duration::from_secs(30), 4096);
        // It answers after the grace, with the command's code; the last of the output is kept.
        assert_eq!((out.code, out.timed_out), (0, false));
        assert_eq!(out.output.len(), 4096);
    }
}
