//! Forwarding through Archipel's bridges where a firewall would drop it, with the `iptables`
//! command (nft-backed on Debian): there is no netlink API for iptables rules.

use std::process::Command;

use crate::error::{NetlinkError, Result};
use crate::netns::in_netns_async;

const CHAIN: &str = "FORWARD";

fn rules(bridge: &str) -> [[String; 4]; 2] {
    [["-i", bridge, "-j", "ACCEPT"], ["-o", bridge, "-j", "ACCEPT"]].map(|r| r.map(str::to_owned))
}

fn installed() -> bool {
    ["/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables"]
        .iter()
        .any(|p| std::path::Path::new(p).exists())
}

/// Runs `iptables ACTION FORWARD RULE` inside the namespace (a spawned process inherits the
/// namespace of the thread that spawns it); returns whether it succeeded.
async fn iptables(ns: Option<&str>, action: &'static str, rule: [String; 4]) -> Result<bool> {
    let shown = format!("iptables {action} {CHAIN} {}", rule.join(" "));
    let status = in_netns_async(ns, move || {
        Command::new("iptables")
            .arg("-w")
            .arg(action)
            .arg(CHAIN)
            .args(&rule)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
    })
    .await?;
    let status = status.map_err(|e| NetlinkError::os(shown, e))?;
    Ok(status.success())
}

/// `iptables -I FORWARD -i BRIDGE -j ACCEPT; iptables -I FORWARD -o BRIDGE -j ACCEPT`, each
/// only when `iptables -C` does not find it already.
pub(crate) async fn allow(ns: Option<&str>, bridge: &str) -> Result<()> {
    if !installed() {
        return Ok(());
    }
    for rule in rules(bridge) {
        if !iptables(ns, "-C", rule.clone()).await? && !iptables(ns, "-I", rule.clone()).await? {
            return Err(NetlinkError::Kernel {
                op: format!("iptables -I {CHAIN} {}", rule.join(" ")),
                source: std::io::Error::other("iptables refused the rule"),
            });
        }
    }
    Ok(())
}

/// `iptables -D FORWARD -i BRIDGE -j ACCEPT` and the same with `-o`, while they exist.
pub(crate) async fn forget(ns: Option<&str>, bridge: &str) -> Result<()> {
    if !installed() {
        return Ok(());
    }
    for rule in rules(bridge) {
        while iptables(ns, "-D", rule.clone()).await? {}
    }
    Ok(())
}
