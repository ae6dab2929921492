//! Namespaces owned by one test, and the real `ip`/`bridge`/`ping` to check what the crate did.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use archipel_netlink::RtNetlink;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Fails the test unless it runs as root: these tests exist to exercise the kernel.
pub fn netlink() -> RtNetlink {
    assert!(
        nix::unistd::geteuid().is_root(),
        "these tests configure the kernel's networking and must run as root"
    );
    RtNetlink::new()
}

/// Network namespace names unique to this test, deleted with `ip netns del` on drop, even when
/// the test panics. Links in them go with them.
pub struct Namespaces(Vec<String>);

impl Namespaces {
    /// One name per tag: `anl-PID-N-TAG`.
    pub fn new(tags: &[&str]) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        Self(tags.iter().map(|tag| format!("anl-{pid}-{n}-{tag}")).collect())
    }

    pub fn name(&self, i: usize) -> &str {
        &self.0[i]
    }

    pub fn ns(&self, i: usize) -> Option<&str> {
        Some(self.name(i))
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
    }
}

/// Runs a command, returns its stdout, panics with its stderr when it fails.
pub fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect("run a command");
    assert!(
        out.status.success(),
        "{program} {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Whether a command succeeds.
pub fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().expect("run a command").status.success()
}

/// `ip -n NS ARGS…`.
pub fn ip(ns: &str, args: &[&str]) -> String {
    run("ip", &[&["-n", ns], args].concat())
}

/// `ip netns exec NS ping -c1 -W1 ADDR` (busybox's ping), a few attempts so that a loaded
/// machine does not fail it.
pub fn pings(from: &str, addr: &str) -> bool {
    let args = ["netns", "exec", from, "busybox", "ping", "-c1", "-W1", addr];
    (0..3).any(|_| succeeds("ip", &args))
}

/// The names `ip netns ls` shows.
pub fn ip_netns_ls() -> Vec<String> {
    run("ip", &["netns", "ls"])
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}
