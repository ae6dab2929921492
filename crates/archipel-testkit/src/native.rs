//! What a native popd leaves in the kernel, found the way its runtime names things
//! (`crates/archipel-pop/src/runtime/native/names.rs`), so tests can look at it and sweep it.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::cmd::run;

/// The prefix of every container namespace of a native popd: `apc` and the owner tag, sha256
/// of the instance name, a NUL and the canonical state directory.
pub fn netns_prefix(instance: &str, state_dir: &Path) -> String {
    let state_dir = std::fs::canonicalize(state_dir).unwrap_or_else(|_| state_dir.to_owned());
    let mut h = Sha256::new();
    h.update(instance.as_bytes());
    h.update([0]);
    h.update(state_dir.to_string_lossy().as_bytes());
    format!("apc{}", &hex::encode(h.finalize())[..8])
}

/// The network namespaces whose names start with `prefix`.
pub fn namespaces(prefix: &str) -> Vec<String> {
    let out = run("ip", &["netns", "list"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

/// The processes inside a network namespace, sorted.
pub fn pids(netns: &str) -> Vec<u32> {
    let out = run("ip", &["netns", "pids", netns]);
    let mut pids: Vec<u32> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    pids.sort_unstable();
    pids
}

/// Kills every process in the namespaces starting with `prefix` and deletes the namespaces.
pub fn sweep(prefix: &str) {
    for ns in namespaces(prefix) {
        for pid in pids(&ns) {
            let _ = run("kill", &["-KILL", &pid.to_string()]);
        }
        let _ = run("ip", &["netns", "delete", &ns]);
    }
}

/// Deletes the bridges and the forwarding rules the native runtime made for them.
pub fn remove_bridges(bridges: &[String]) {
    for b in bridges {
        let _ = run("ip", &["link", "delete", b]);
        for dir in ["-i", "-o"] {
            while run("iptables", &["-w", "-D", "FORWARD", dir, b, "-j", "ACCEPT"]).status.success()
            {
            }
        }
    }
}
