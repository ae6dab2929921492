//! Per-namespace kernel settings.

use crate::error::{NetlinkError, Result};
use crate::netns::in_netns_async;

const IP_FORWARD: &str = "/proc/sys/net/ipv4/ip_forward";

/// `ip netns exec NS sysctl -w net.ipv4.ip_forward=0|1`.
///
/// /proc/sys/net shows the namespace of the thread that opens it, so the file is written from a
/// thread inside the namespace.
pub(crate) async fn set_ip_forward(ns: Option<&str>, enabled: bool) -> Result<()> {
    let value = if enabled { "1" } else { "0" };
    let written = in_netns_async(ns, move || std::fs::write(IP_FORWARD, value)).await?;
    written.map_err(|e| {
        let op = match ns {
            Some(name) => format!("ip netns exec {name} sysctl -w net.ipv4.ip_forward={value}"),
            None => format!("sysctl -w net.ipv4.ip_forward={value}"),
        };
        NetlinkError::os(op, e)
    })
}
