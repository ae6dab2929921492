//! Starting a daemon under test and learning where it listens.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Spawns `cmd` with its stderr appended to `log` and waits (60 s at most) for the
/// `listening on ADDR` line every Archipel daemon prints; returns the child and `ADDR`. Panics
/// with the log when the daemon exits first or never listens.
pub(crate) fn spawn_listening(mut cmd: Command, what: &str, log: &Path) -> (Child, String) {
    // Owner-only like everything the daemon writes itself: a log is checked for secrets, but
    // still says who did what.
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(log)
        .unwrap_or_else(|e| panic!("{what} log file {}: {e}", log.display()));
    let mut child = cmd
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let stdout = child.stdout.take().expect("daemon stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = archipel_daemon::ready::parse(&line) {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let read_log = || std::fs::read_to_string(log).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(addr) = rx.recv_timeout(Duration::from_millis(100)) {
            return (child, addr);
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status} before listening: {}", read_log());
        }
        assert!(Instant::now() < deadline, "{what} did not listen within 60 s: {}", read_log());
    }
}

/// `kill -9` of a daemon under test and the reaping of it; nothing if it is not running.
pub(crate) fn kill9(child: &mut Option<Child>) {
    if let Some(mut child) = child.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// The JSON a successful `archipel …` printed. Panics with its stderr and the daemon's log
/// (`log`, read only then) when it failed, or with its stdout when that is not JSON.
pub fn json_output(
    out: &std::process::Output,
    what: &str,
    log: impl FnOnce() -> String,
) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{what} failed: {}\ndaemon log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        log()
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{what} printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout))
    })
}
