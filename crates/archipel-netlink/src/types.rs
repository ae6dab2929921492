use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// The standard VXLAN UDP port (IANA), what `ip link add … type vxlan dstport 4789` uses.
pub const VXLAN_PORT: u16 = 4789;

/// What a link is, as `ip -d link show` names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkKind {
    Bridge,
    Veth,
    Vxlan,
    /// A device without a kind: loopback, a physical NIC.
    Device,
    Other(String),
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bridge => f.write_str("bridge"),
            Self::Veth => f.write_str("veth"),
            Self::Vxlan => f.write_str("vxlan"),
            Self::Device => f.write_str("plain"),
            Self::Other(kind) => f.write_str(kind),
        }
    }
}

/// An Ethernet address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddr(pub [u8; 6]);

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// One link of a namespace, as `ip -d link show` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub name: String,
    pub index: u32,
    pub kind: LinkKind,
    pub mtu: u32,
    /// Administratively up (`ip link set … up`), whatever the carrier.
    pub up: bool,
    /// The bridge this link is a port of.
    pub master: Option<String>,
    pub mac: Option<MacAddr>,
}

/// A link's traffic since it was made, as `ip -s link show` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
}

/// An IPv4 address on a link, as `ip -4 addr show` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    pub link: String,
    pub addr: Ipv4Net,
}

/// An IPv4 unicast route of the main table, as `ip route show` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Route {
    pub dest: Ipv4Net,
    pub via: Option<Ipv4Addr>,
    pub dev: Option<String>,
}

/// A VXLAN device: `ip link add NAME [mtu MTU] type vxlan id VNI local LOCAL [dev UNDERLAY]
/// dstport PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VxlanConfig {
    pub name: String,
    pub vni: u32,
    /// The local underlay (VTEP) address, the source of encapsulated packets.
    pub local: Ipv4Addr,
    /// The underlay device the tunnel is bound to.
    pub underlay: Option<String>,
    pub port: u16,
    /// Left to the kernel when `None` (the underlay's MTU minus the encapsulation).
    pub mtu: Option<u32>,
}

impl VxlanConfig {
    /// A device on the standard port, no underlay binding, the kernel's MTU.
    pub fn new(name: impl Into<String>, vni: u32, local: Ipv4Addr) -> Self {
        Self { name: name.into(), vni, local, underlay: None, port: VXLAN_PORT, mtu: None }
    }
}

/// How a namespace is named in messages.
pub(crate) fn ns_label(ns: Option<&str>) -> String {
    match ns {
        None => "the host namespace".to_owned(),
        Some(name) => format!("netns {name}"),
    }
}

/// The `ip`/`bridge` command prefix acting in `ns` (`ip -n NAME`).
pub(crate) fn cmd(tool: &str, ns: Option<&str>) -> String {
    match ns {
        None => tool.to_owned(),
        // `ip -n` takes names only: a namespace file elsewhere is entered.
        Some(path) if path.starts_with('/') => format!("nsenter --net={path} {tool}"),
        Some(name) => format!("{tool} -n {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_prints_like_ip() {
        assert_eq!(MacAddr([0x02, 0, 0, 0xab, 0x0c, 0xff]).to_string(), "02:00:00:ab:0c:ff");
    }

    #[test]
    fn commands_name_the_namespace() {
        assert_eq!(cmd("ip", None), "ip");
        assert_eq!(cmd("bridge", Some("a")), "bridge -n a");
    }
}
