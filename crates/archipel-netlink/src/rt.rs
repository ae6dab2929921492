//! The real [`Netlink`], on rtnetlink.

use std::net::Ipv4Addr;

use async_trait::async_trait;
use ipnet::Ipv4Net;

use crate::conn::Conn;
use crate::error::{NetlinkError, Result};
use crate::netlink::Netlink;
use crate::types::{Address, LinkInfo, LinkStats, Route, VxlanConfig};
use crate::{address, fdb, link, netns, route, sysctl, veth, vxlan};

/// The kernel's networking, through rtnetlink; needs root or CAP_NET_ADMIN.
///
/// Holds no state: every call opens a netlink socket in the namespace it acts in, so a namespace
/// deleted and made again by someone else is never addressed through a stale socket.
#[derive(Debug, Clone, Copy, Default)]
pub struct RtNetlink;

impl RtNetlink {
    pub fn new() -> Self {
        Self
    }
}

/// Runs blocking namespace file work off the async worker threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| NetlinkError::ThreadPanicked { ns: netns::NETNS_DIR.to_owned() })?
}

#[async_trait]
impl Netlink for RtNetlink {
    async fn ensure_netns(&self, name: &str) -> Result<()> {
        let name = name.to_owned();
        blocking(move || netns::ensure(&name)).await
    }

    /// Deletes the namespace's virtual links first: the kernel destroys a namespace some time
    /// after `ip netns del`, and its veth peers elsewhere with it.
    async fn delete_netns(&self, name: &str) -> Result<()> {
        crate::names::check_netns(name)?;
        if netns::is_netns(name) {
            link::delete_virtual(&Conn::open(Some(name)).await?).await?;
        }
        let name = name.to_owned();
        blocking(move || netns::delete(&name)).await
    }

    async fn list_netns(&self) -> Result<Vec<String>> {
        blocking(netns::list).await
    }

    async fn netns_exists(&self, name: &str) -> Result<bool> {
        crate::names::check_netns(name)?;
        let name = name.to_owned();
        blocking(move || Ok(netns::is_netns(&name))).await
    }

    async fn ensure_bridge(&self, ns: Option<&str>, name: &str, mtu: Option<u32>) -> Result<()> {
        link::ensure_bridge(&Conn::open(ns).await?, name, mtu).await
    }

    async fn ensure_veth(
        &self,
        ns: Option<&str>,
        name: &str,
        peer: &str,
        peer_ns: Option<&str>,
    ) -> Result<()> {
        veth::ensure(&Conn::open(ns).await?, name, peer, peer_ns).await
    }

    async fn ensure_vxlan(&self, ns: Option<&str>, config: &VxlanConfig) -> Result<()> {
        vxlan::ensure(&Conn::open(ns).await?, config).await
    }

    async fn set_master(&self, ns: Option<&str>, link: &str, master: Option<&str>) -> Result<()> {
        link::set_master(&Conn::open(ns).await?, link, master).await
    }

    async fn set_neigh_suppress(&self, ns: Option<&str>, link: &str, on: bool) -> Result<()> {
        link::set_neigh_suppress(&Conn::open(ns).await?, link, on).await
    }

    async fn set_up(&self, ns: Option<&str>, link: &str) -> Result<()> {
        link::set_state(&Conn::open(ns).await?, link, true).await
    }

    async fn set_down(&self, ns: Option<&str>, link: &str) -> Result<()> {
        link::set_state(&Conn::open(ns).await?, link, false).await
    }

    async fn set_mtu(&self, ns: Option<&str>, link: &str, mtu: u32) -> Result<()> {
        link::set_mtu(&Conn::open(ns).await?, link, mtu).await
    }

    async fn delete_link(&self, ns: Option<&str>, name: &str) -> Result<()> {
        link::delete(&Conn::open(ns).await?, name).await
    }

    async fn link(&self, ns: Option<&str>, name: &str) -> Result<Option<LinkInfo>> {
        link::lookup(&Conn::open(ns).await?, name).await
    }

    async fn list_links(&self, ns: Option<&str>) -> Result<Vec<LinkInfo>> {
        link::list(&Conn::open(ns).await?).await
    }

    async fn link_stats(&self, ns: Option<&str>, name: &str) -> Result<Option<LinkStats>> {
        let found = link::get(&Conn::open(ns).await?, name).await?;
        Ok(found.map(|msg| link::stats(&msg)))
    }

    async fn ensure_address(&self, ns: Option<&str>, link: &str, addr: Ipv4Net) -> Result<()> {
        address::ensure(&Conn::open(ns).await?, link, addr).await
    }

    async fn delete_address(&self, ns: Option<&str>, link: &str, addr: Ipv4Net) -> Result<()> {
        address::delete(&Conn::open(ns).await?, link, addr).await
    }

    async fn list_addresses(&self, ns: Option<&str>, link: Option<&str>) -> Result<Vec<Address>> {
        address::list(&Conn::open(ns).await?, link).await
    }

    async fn ensure_route(
        &self,
        ns: Option<&str>,
        dest: Ipv4Net,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
    ) -> Result<()> {
        route::ensure(&Conn::open(ns).await?, dest, via, dev).await
    }

    async fn delete_route(&self, ns: Option<&str>, dest: Ipv4Net) -> Result<()> {
        route::delete(&Conn::open(ns).await?, dest).await
    }

    async fn list_routes(&self, ns: Option<&str>) -> Result<Vec<Route>> {
        route::list(&Conn::open(ns).await?).await
    }

    async fn fdb_flood_add(&self, ns: Option<&str>, vxlan: &str, remote: Ipv4Addr) -> Result<()> {
        fdb::add(&Conn::open(ns).await?, vxlan, remote).await
    }

    async fn fdb_flood_del(&self, ns: Option<&str>, vxlan: &str, remote: Ipv4Addr) -> Result<()> {
        fdb::delete(&Conn::open(ns).await?, vxlan, remote).await
    }

    async fn fdb_flood_list(&self, ns: Option<&str>, vxlan: &str) -> Result<Vec<Ipv4Addr>> {
        fdb::list(&Conn::open(ns).await?, vxlan).await
    }

    async fn set_ip_forward(&self, ns: Option<&str>, enabled: bool) -> Result<()> {
        crate::names::check_ns(ns)?;
        sysctl::set_ip_forward(ns, enabled).await
    }

    async fn allow_forwarding(&self, ns: Option<&str>, bridge: &str) -> Result<()> {
        crate::names::check_ns(ns)?;
        crate::firewall::allow(ns, bridge).await
    }

    async fn forget_forwarding(&self, ns: Option<&str>, bridge: &str) -> Result<()> {
        crate::names::check_ns(ns)?;
        crate::firewall::forget(ns, bridge).await
    }
}
