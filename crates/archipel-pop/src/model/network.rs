use archipel_ipam::{overlaps, SubnetPlan};
use ipnet::Ipv4Net;

use crate::runtime::NetworkSpec;

/// Where a network lives in Linux, so that an inter-site agent can attach tunnels to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinuxAttachment {
    pub bridge: String,
    /// None: the host's own namespace.
    pub netns: Option<String>,
}

/// A Pop network: one subnet with a gateway and allocation pools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopNetwork {
    pub id: String,
    pub name: String,
    pub plan: SubnetPlan,
    /// None: the runtime's default.
    pub mtu: Option<u32>,
    pub attachment: LinuxAttachment,
    /// The runtime's own id for it.
    pub runtime_id: String,
    /// True when created through CreateNetwork; false for the default network, which popd
    /// ensures from its configuration at every start.
    pub managed: bool,
}

impl PopNetwork {
    /// What the runtime must realise.
    pub fn spec(&self) -> NetworkSpec {
        NetworkSpec {
            id: self.id.clone(),
            name: self.name.clone(),
            subnet: self.plan.cidr(),
            gateway: self.plan.gateway(),
            mtu: self.mtu,
        }
    }
}

/// The ranges no Pop network may touch: their addresses are not unicast hosts of a link.
const RESERVED: [(&str, &str); 5] = [
    ("0.0.0.0/8", "\"this network\" (0.0.0.0/8)"),
    ("127.0.0.0/8", "loopback (127.0.0.0/8)"),
    ("169.254.0.0/16", "link-local (169.254.0.0/16)"),
    ("224.0.0.0/4", "multicast (224.0.0.0/4)"),
    ("240.0.0.0/4", "reserved (240.0.0.0/4)"),
];

/// The reserved range `subnet` overlaps, described, if any.
pub fn reserved_range(subnet: Ipv4Net) -> Option<&'static str> {
    RESERVED.iter().find_map(|(range, what)| {
        let range: Ipv4Net = range.parse().ok()?;
        overlaps(&range, &subnet.trunc()).then_some(*what)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_ranges() {
        let r = |s: &str| reserved_range(s.parse().unwrap());
        assert_eq!(r("127.1.0.0/24"), Some("loopback (127.0.0.0/8)"));
        assert_eq!(r("224.0.0.0/24"), Some("multicast (224.0.0.0/4)"));
        assert_eq!(r("240.0.0.0/24"), Some("reserved (240.0.0.0/4)"));
        assert_eq!(r("0.1.0.0/24"), Some("\"this network\" (0.0.0.0/8)"));
        assert_eq!(r("169.254.3.0/24"), Some("link-local (169.254.0.0/16)"));
        assert_eq!(r("96.0.0.0/3"), Some("loopback (127.0.0.0/8)"));
        for ok in ["10.0.0.0/8", "172.16.0.0/16", "192.168.1.0/24", "223.255.255.0/24"] {
            assert_eq!(r(ok), None, "{ok}");
        }
    }
}
