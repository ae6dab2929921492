use std::net::Ipv4Addr;

use async_trait::async_trait;
use ipnet::Ipv4Net;

use crate::error::Result;
use crate::types::{Address, LinkInfo, LinkStats, MacAddr, Route, VxlanConfig};

/// Archipel's access to the kernel's networking.
///
/// `ns` is the namespace an operation acts in: `None` is the namespace of the process (the host),
/// `Some(name)` is `/run/netns/NAME`, as `ip -n NAME` uses it.
///
/// Every `ensure_*`/`set_*` converges to a state and adopts what already exists, every `delete_*`
/// succeeds when there is nothing to delete, so a daemon that restarts simply replays its intent.
#[async_trait]
pub trait Netlink: Send + Sync {
    /// `ip netns add NAME`; an existing namespace is kept as is.
    async fn ensure_netns(&self, name: &str) -> Result<()>;
    /// `ip netns del NAME`; the links inside go with it.
    async fn delete_netns(&self, name: &str) -> Result<()>;
    /// `ip netns ls`, sorted.
    async fn list_netns(&self) -> Result<Vec<String>>;
    /// Whether `ip netns ls` lists NAME.
    async fn netns_exists(&self, name: &str) -> Result<bool>;

    /// `ip link add NAME type bridge` then, when asked, `ip link set NAME mtu MTU`.
    async fn ensure_bridge(&self, ns: Option<&str>, name: &str, mtu: Option<u32>) -> Result<()>;
    /// `ip link add NAME type veth peer name PEER netns PEER_NS`: NAME in `ns`, PEER in `peer_ns`
    /// (`None` is the host there too). A pair missing its peer is made again.
    async fn ensure_veth(
        &self,
        ns: Option<&str>,
        name: &str,
        peer: &str,
        peer_ns: Option<&str>,
    ) -> Result<()>;
    /// `ip link add NAME type vxlan id VNI local LOCAL [dev UNDERLAY] dstport PORT`; a device with
    /// other tunnel parameters is made again (the kernel cannot change them in place).
    async fn ensure_vxlan(&self, ns: Option<&str>, config: &VxlanConfig) -> Result<()>;
    /// `ip link set LINK master BRIDGE`, or `ip link set LINK nomaster` for `None`.
    async fn set_master(&self, ns: Option<&str>, link: &str, master: Option<&str>) -> Result<()>;
    /// `bridge link set dev LINK neigh_suppress on|off`: the bridge answers ARP and neighbour
    /// solicitations for the addresses it holds itself without flooding them through this port
    /// (and for the addresses it knows behind the port from its neighbour table). LINK must
    /// have a bridge as its master.
    async fn set_neigh_suppress(&self, ns: Option<&str>, link: &str, on: bool) -> Result<()>;
    /// `ip link set LINK up`.
    async fn set_up(&self, ns: Option<&str>, link: &str) -> Result<()>;
    /// `ip link set LINK down`.
    async fn set_down(&self, ns: Option<&str>, link: &str) -> Result<()>;
    /// `ip link set LINK mtu MTU`.
    async fn set_mtu(&self, ns: Option<&str>, link: &str, mtu: u32) -> Result<()>;
    /// `ip link del NAME` (a veth pair goes as a whole).
    async fn delete_link(&self, ns: Option<&str>, name: &str) -> Result<()>;
    /// `ip -d link show NAME`, `None` when there is no such link.
    async fn link(&self, ns: Option<&str>, name: &str) -> Result<Option<LinkInfo>>;
    /// `ip -d link show`.
    async fn list_links(&self, ns: Option<&str>) -> Result<Vec<LinkInfo>>;
    /// `ip -s link show NAME`: the kernel's counters of the link, `None` when there is no
    /// such link.
    async fn link_stats(&self, ns: Option<&str>, name: &str) -> Result<Option<LinkStats>>;

    /// Whether `ip link show NAME` finds the link.
    async fn link_exists(&self, ns: Option<&str>, name: &str) -> Result<bool> {
        Ok(self.link(ns, name).await?.is_some())
    }
    /// The link's Ethernet address, `None` when there is no such link or it has none.
    async fn link_mac(&self, ns: Option<&str>, name: &str) -> Result<Option<MacAddr>> {
        Ok(self.link(ns, name).await?.and_then(|link| link.mac))
    }

    /// `ip addr replace ADDR dev LINK`.
    async fn ensure_address(&self, ns: Option<&str>, link: &str, addr: Ipv4Net) -> Result<()>;
    /// `ip addr del ADDR dev LINK`.
    async fn delete_address(&self, ns: Option<&str>, link: &str, addr: Ipv4Net) -> Result<()>;
    /// `ip -4 addr show [dev LINK]`.
    async fn list_addresses(&self, ns: Option<&str>, link: Option<&str>) -> Result<Vec<Address>>;

    /// `ip route replace DEST [via VIA] [dev DEV]` in the main table; at least one of `via` and
    /// `dev` is needed.
    async fn ensure_route(
        &self,
        ns: Option<&str>,
        dest: Ipv4Net,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
    ) -> Result<()>;
    /// `ip route del DEST` from the main table.
    async fn delete_route(&self, ns: Option<&str>, dest: Ipv4Net) -> Result<()>;
    /// `ip -4 route show table main`: unicast routes only.
    async fn list_routes(&self, ns: Option<&str>) -> Result<Vec<Route>>;
    /// `ip route replace default via VIA`.
    async fn ensure_default_route(&self, ns: Option<&str>, via: Ipv4Addr) -> Result<()> {
        self.ensure_route(ns, Ipv4Net::default(), Some(via), None).await
    }

    /// `bridge fdb append 00:00:00:00:00:00 dev VXLAN dst REMOTE`: flood unknown and broadcast
    /// traffic to the remote VTEP.
    async fn fdb_flood_add(&self, ns: Option<&str>, vxlan: &str, remote: Ipv4Addr) -> Result<()>;
    /// `bridge fdb del 00:00:00:00:00:00 dev VXLAN dst REMOTE`.
    async fn fdb_flood_del(&self, ns: Option<&str>, vxlan: &str, remote: Ipv4Addr) -> Result<()>;
    /// The remotes of `bridge fdb show dev VXLAN | grep ^00:00:00:00:00:00`, sorted.
    async fn fdb_flood_list(&self, ns: Option<&str>, vxlan: &str) -> Result<Vec<Ipv4Addr>>;

    /// `ip netns exec NS sysctl -w net.ipv4.ip_forward=0|1`.
    async fn set_ip_forward(&self, ns: Option<&str>, enabled: bool) -> Result<()>;

    /// `ip netns exec NS iptables -I FORWARD -i BRIDGE -j ACCEPT` and the same with `-o`:
    /// traffic through the bridge is forwarded even where a firewall drops forwarding by
    /// default (Docker sets the FORWARD policy to DROP, and with br_netfilter loaded even
    /// bridged frames meet it). Nothing to do where iptables is not installed.
    async fn allow_forwarding(&self, ns: Option<&str>, bridge: &str) -> Result<()>;
    /// Removes the rules of [`Netlink::allow_forwarding`]; missing rules are fine.
    async fn forget_forwarding(&self, ns: Option<&str>, bridge: &str) -> Result<()>;
}
