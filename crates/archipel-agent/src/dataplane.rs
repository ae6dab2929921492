//! This site's share of a service's data plane: the VXLAN devices, addresses and routes.

use std::net::Ipv4Addr;

use archipel_netlink::iptables::FirewallError;
use archipel_netlink::{Netlink, NetlinkError, VxlanConfig};
use ipnet::Ipv4Net;

/// What VXLAN over IPv4 adds to every frame (outer IPv4, UDP, VXLAN and Ethernet headers).
pub const VXLAN_OVERHEAD: u32 = 50;
/// What WireGuard over an IPv4 underlay adds to every packet (IPv4 20, UDP 8, its header 16,
/// its authentication tag 16).
pub const WIREGUARD_IPV4_OVERHEAD: u32 = 60;
/// What WireGuard over an IPv6 underlay adds (an IPv6 header is 20 bytes longer).
pub const WIREGUARD_IPV6_OVERHEAD: u32 = 80;

/// A layer of encapsulation under the tenant's frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Vxlan,
    WireGuardIpv4,
    WireGuardIpv6,
}

impl Layer {
    pub fn overhead(self) -> u32 {
        match self {
            Layer::Vxlan => VXLAN_OVERHEAD,
            Layer::WireGuardIpv4 => WIREGUARD_IPV4_OVERHEAD,
            Layer::WireGuardIpv6 => WIREGUARD_IPV6_OVERHEAD,
        }
    }
}

/// The MTU left to the tenant's frames over an underlay of `underlay` bytes once every layer
/// took its share: 1450 for VXLAN alone over 1500, 1390 for VXLAN in WireGuard over IPv4.
pub fn tunnel_mtu(underlay: u32, layers: &[Layer]) -> u32 {
    layers.iter().fold(underlay, |mtu, layer| mtu.saturating_sub(layer.overhead()))
}

/// What can go wrong programming the data plane.
#[derive(Debug, thiserror::Error)]
pub enum DataplaneError {
    #[error("the underlay address {0} is on no link of the namespace")]
    NoUnderlay(Ipv4Addr),
    #[error("netlink failed")]
    Netlink(#[from] NetlinkError),
    #[error("the firewall refused the service's rules")]
    Firewall(#[from] FirewallError),
}

/// The L2 extension's VXLAN device of a VNI (at most 10 characters, under the kernel's 15).
pub fn l2_device(vni: u32) -> String {
    format!("vx{vni}")
}

/// The L3 transit VXLAN device of a VNI.
pub fn l3_device(vni: u32) -> String {
    format!("vt{vni}")
}

/// The MTU of the link holding `underlay` in `ns`.
pub async fn underlay_mtu(
    nl: &dyn Netlink,
    ns: Option<&str>,
    underlay: Ipv4Addr,
) -> Result<u32, DataplaneError> {
    let addresses = nl.list_addresses(ns, None).await?;
    let link = addresses
        .iter()
        .find(|a| a.addr.addr() == underlay)
        .ok_or(DataplaneError::NoUnderlay(underlay))?;
    let info = nl.link(ns, &link.link).await?.ok_or(DataplaneError::NoUnderlay(underlay))?;
    Ok(info.mtu)
}

/// A VXLAN segment between this site and others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tunnel {
    pub vni: u32,
    /// This site's underlay address.
    pub local: Ipv4Addr,
    /// The other sites' underlay addresses.
    pub remotes: Vec<Ipv4Addr>,
    pub mtu: u32,
}

/// `ip link add NAME mtu MTU type vxlan id VNI local LOCAL dstport 4789`, `bridge fdb append
/// 00:00:00:00:00:00 dev NAME dst REMOTE` for each remote, `ip link set NAME up`.
async fn tunnel(
    nl: &dyn Netlink,
    ns: Option<&str>,
    name: &str,
    t: &Tunnel,
) -> Result<(), NetlinkError> {
    let mut config = VxlanConfig::new(name, t.vni, t.local);
    config.mtu = Some(t.mtu);
    nl.ensure_vxlan(ns, &config).await?;
    for remote in &t.remotes {
        nl.fdb_flood_add(ns, name, *remote).await?;
    }
    nl.set_up(ns, name).await
}

/// Stretches `bridge` over the VXLAN `vx<VNI>`: the tunnel as [`tunnel`] makes it, then `ip link
/// set vx<VNI> master BRIDGE`, `bridge link set dev vx<VNI> neigh_suppress on`, and `ip link set
/// DEV mtu MTU` on the bridge and every port above MTU so that no frame is too big for the
/// tunnel.
///
/// Every site's bridge holds the gateway address, each with its own MAC: suppressing ARP
/// through the tunnel keeps a request for the gateway at its own site, so it is answered once,
/// by the local bridge (requests for remote containers still cross).
pub async fn attach_l2(
    nl: &dyn Netlink,
    ns: Option<&str>,
    bridge: &str,
    t: &Tunnel,
) -> Result<String, DataplaneError> {
    let (name, mtu) = (l2_device(t.vni), t.mtu);
    tunnel(nl, ns, &name, t).await?;
    nl.set_master(ns, &name, Some(bridge)).await?;
    nl.set_neigh_suppress(ns, &name, true).await?;
    for link in nl.list_links(ns).await? {
        if link.mtu > mtu && (link.name == bridge || link.master.as_deref() == Some(bridge)) {
            nl.set_mtu(ns, &link.name, mtu).await?;
        }
    }
    nl.set_up(ns, bridge).await?;
    Ok(name)
}

/// Joins the L3 transit segment `vt<VNI>` with `address` and routes each remote subnet via its
/// site's transit address: the tunnel as [`tunnel`] makes it, `ip addr replace ADDRESS dev
/// vt<VNI>`, `ip route replace SUBNET via VIA` and `sysctl -w net.ipv4.ip_forward=1`.
pub async fn attach_l3(
    nl: &dyn Netlink,
    ns: Option<&str>,
    t: &Tunnel,
    address: Ipv4Net,
    routes: &[(Ipv4Net, Ipv4Addr)],
) -> Result<String, DataplaneError> {
    let name = l3_device(t.vni);
    tunnel(nl, ns, &name, t).await?;
    nl.ensure_address(ns, &name, address).await?;
    for (dest, via) in routes {
        nl.ensure_route(ns, *dest, Some(*via), Some(&name)).await?;
    }
    nl.set_ip_forward(ns, true).await?;
    Ok(name)
}

/// Makes the flood entries of the VXLAN `name` exactly `remotes`: `bridge fdb append
/// 00:00:00:00:00:00 dev NAME dst REMOTE` for each one missing, `bridge fdb del
/// 00:00:00:00:00:00 dev NAME dst OTHER` for each one too many. The device, its bridge and the
/// learned entries stay as they are.
pub async fn set_floods(
    nl: &dyn Netlink,
    ns: Option<&str>,
    name: &str,
    remotes: &[Ipv4Addr],
) -> Result<(), DataplaneError> {
    let current = nl.fdb_flood_list(ns, name).await?;
    for remote in remotes.iter().filter(|r| !current.contains(r)) {
        nl.fdb_flood_add(ns, name, *remote).await?;
    }
    for gone in current.iter().filter(|c| !remotes.contains(c)) {
        nl.fdb_flood_del(ns, name, *gone).await?;
    }
    Ok(())
}

/// `ip link del NAME`: the tunnel goes with its flood entries, addresses and routes.
pub async fn detach(nl: &dyn Netlink, ns: Option<&str>, name: &str) -> Result<(), DataplaneError> {
    Ok(nl.delete_link(ns, name).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_takes_its_share_of_the_underlay() {
        assert_eq!(tunnel_mtu(1500, &[Layer::Vxlan]), 1450);
        assert_eq!(tunnel_mtu(1500, &[Layer::WireGuardIpv4, Layer::Vxlan]), 1390);
        assert_eq!(tunnel_mtu(1500, &[Layer::WireGuardIpv6, Layer::Vxlan]), 1370);
        assert_eq!(tunnel_mtu(9000, &[]), 9000);
        assert_eq!(tunnel_mtu(40, &[Layer::Vxlan]), 0);
    }
}
