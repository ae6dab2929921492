//! What a native popd leaves in the kernel, found by the names its runtime gives
//! ([`NativeLayout`]), so tests can look at it and sweep it.

use std::path::Path;

use archipel_pop::runtime::native::{state_dir, NativeLayout};

use crate::cmd::run;

/// The prefix of every container namespace of the native popd `instance` on `data_dir`.
pub fn netns_prefix(instance: &str, data_dir: &Path) -> String {
    NativeLayout::new(instance, &state_dir(data_dir)).netns_prefix()
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
