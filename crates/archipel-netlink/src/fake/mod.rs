//! A recording, in-memory [`Netlink`] for the unit tests of the crates that use this one.

mod state;

use std::fmt;
use std::io;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use ipnet::Ipv4Net;

use crate::error::{NetlinkError, Result};
use crate::names::{check_link, check_netns};
use crate::netlink::Netlink;
use crate::types::{Address, LinkInfo, LinkKind, LinkStats, Route, VxlanConfig};
use state::{Link, State};

/// The VXLAN encapsulation overhead over IPv4 the kernel subtracts from the underlay's MTU.
const VXLAN_OVERHEAD: u32 = 50;

/// An in-memory [`Netlink`] that records every change asked of it.
///
/// It keeps the state the kernel would (namespaces with a loopback, links, ports, addresses,
/// routes with the connected ones, flood entries), fails where the real implementation fails
/// (missing namespace or link, wrong kind), and deletes in cascade as the kernel does (a veth
/// pair as a whole, the links of a deleted namespace). Clones share one state.
#[derive(Debug, Clone, Default)]
pub struct FakeNetlink {
    state: Arc<Mutex<State>>,
}

fn line(method: &str, ns: Option<&str>, args: impl fmt::Display) -> String {
    format!("{method} {} {args}", ns.unwrap_or("-"))
}

fn or_dash(value: Option<impl fmt::Display>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

impl FakeNetlink {
    pub fn new() -> Self {
        Self::default()
    }

    /// The changes asked so far, one line each: `METHOD NS ARGS…` with `-` for the host namespace
    /// and for an absent argument, e.g. `ensure_bridge site-a br0 1450`, `set_up - eth0`,
    /// `ensure_netns site-a`. Queries are not recorded.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// Like [`FakeNetlink::calls`], and forgets them.
    pub fn take_calls(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().calls)
    }

    /// Makes every later change whose recorded line starts with `prefix` fail, changing nothing.
    pub fn fail_on(&self, prefix: impl Into<String>) {
        self.lock().failures.push(prefix.into());
    }

    /// Stops failing on purpose.
    pub fn clear_failures(&self) {
        self.lock().failures.clear();
    }

    /// The `net.ipv4.ip_forward` of a namespace (off in a new one).
    pub fn ip_forward(&self, ns: Option<&str>) -> bool {
        self.lock().space(ns).is_ok_and(|space| space.ip_forward)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a change and hands the state over, unless the change is to fail.
    fn change(&self, line: String) -> Result<MutexGuard<'_, State>> {
        let mut state = self.lock();
        let fails = state.failures.iter().any(|prefix| line.starts_with(prefix.as_str()));
        state.calls.push(line.clone());
        if fails {
            let source = io::Error::other("failure injected by FakeNetlink");
            return Err(NetlinkError::Kernel { op: line, source });
        }
        Ok(state)
    }
}

#[async_trait]
impl Netlink for FakeNetlink {
    async fn ensure_netns(&self, name: &str) -> Result<()> {
        let mut state = self.change(format!("ensure_netns {name}"))?;
        check_netns(name)?;
        if !state.spaces.contains_key(&Some(name.to_owned())) {
            state.add_space(Some(name.to_owned()), false);
        }
        Ok(())
    }

    async fn delete_netns(&self, name: &str) -> Result<()> {
        let mut state = self.change(format!("delete_netns {name}"))?;
        check_netns(name)?;
        state.remove_space(&Some(name.to_owned()));
        Ok(())
    }

    async fn list_netns(&self) -> Result<Vec<String>> {
        Ok(self.lock().spaces.keys().flatten().cloned().collect())
    }

    async fn netns_exists(&self, name: &str) -> Result<bool> {
        check_netns(name)?;
        Ok(self.lock().spaces.contains_key(&Some(name.to_owned())))
    }

    async fn ensure_bridge(&self, ns: Option<&str>, name: &str, mtu: Option<u32>) -> Result<()> {
        let mut state =
            self.change(line("ensure_bridge", ns, format!("{name} {}", or_dash(mtu))))?;
        check_link(name)?;
        if state.space(ns)?.links.contains_key(name) {
            let bridge = state.link_of(ns, name, LinkKind::Bridge)?;
            bridge.mtu = mtu.unwrap_or(bridge.mtu);
            return Ok(());
        }
        let bridge = state.new_link(LinkKind::Bridge, mtu.unwrap_or(1500));
        state.space(ns)?.links.insert(name.to_owned(), bridge);
        Ok(())
    }

    async fn ensure_veth(
        &self,
        ns: Option<&str>,
        name: &str,
        peer: &str,
        peer_ns: Option<&str>,
    ) -> Result<()> {
        let args = format!("{name} {peer} {}", or_dash(peer_ns));
        let mut state = self.change(line("ensure_veth", ns, args))?;
        check_link(name)?;
        check_link(peer)?;
        let here = state.space(ns)?.links.get(name).cloned();
        let there = state.space(peer_ns)?.links.get(peer).cloned();
        if here.is_some() {
            state.link_of(ns, name, LinkKind::Veth)?;
        }
        if there.is_some() {
            state.link_of(peer_ns, peer, LinkKind::Veth)?;
        }
        let (ns_key, peer_key) = (ns.map(str::to_owned), peer_ns.map(str::to_owned));
        let paired = |link: &Option<Link>, other_ns: &Option<String>, other: &str| {
            link.as_ref().and_then(|l| l.peer.clone()) == Some((other_ns.clone(), other.to_owned()))
        };
        if paired(&here, &peer_key, peer) && paired(&there, &ns_key, name) {
            return Ok(());
        }
        state.remove_link(&ns_key, name);
        state.remove_link(&peer_key, peer);
        let mut end = state.new_link(LinkKind::Veth, 1500);
        let mut other_end = state.new_link(LinkKind::Veth, 1500);
        end.peer = Some((peer_key, peer.to_owned()));
        other_end.peer = Some((ns_key, name.to_owned()));
        state.space(ns)?.links.insert(name.to_owned(), end);
        state.space(peer_ns)?.links.insert(peer.to_owned(), other_end);
        Ok(())
    }

    async fn ensure_vxlan(&self, ns: Option<&str>, config: &VxlanConfig) -> Result<()> {
        let VxlanConfig { name, vni, local, underlay, port, mtu } = config;
        let args =
            format!("{name} {vni} {local} {} {port} {}", or_dash(underlay.as_ref()), or_dash(*mtu));
        let mut state = self.change(line("ensure_vxlan", ns, args))?;
        check_link(name)?;
        let lower_mtu = match underlay {
            Some(dev) => state.link(ns, dev)?.mtu - VXLAN_OVERHEAD,
            None => 1500,
        };
        if state.space(ns)?.links.contains_key(name) {
            let existing = state.link_of(ns, name, LinkKind::Vxlan)?;
            let same = existing.vxlan.as_ref().is_some_and(|had| {
                (had.vni, had.local, had.port, &had.underlay) == (*vni, *local, *port, underlay)
            });
            if same {
                existing.mtu = mtu.unwrap_or(existing.mtu);
                return Ok(());
            }
            state.remove_link(&ns.map(str::to_owned), name);
        }
        let mut device = state.new_link(LinkKind::Vxlan, mtu.unwrap_or(lower_mtu));
        device.vxlan = Some(config.clone());
        state.space(ns)?.links.insert(name.clone(), device);
        Ok(())
    }

    async fn set_master(&self, ns: Option<&str>, link: &str, master: Option<&str>) -> Result<()> {
        let mut state =
            self.change(line("set_master", ns, format!("{link} {}", or_dash(master))))?;
        state.link(ns, link)?;
        if let Some(master) = master {
            state.link_of(ns, master, LinkKind::Bridge)?;
        }
        state.link(ns, link)?.master = master.map(str::to_owned);
        Ok(())
    }

    async fn set_neigh_suppress(&self, ns: Option<&str>, link: &str, on: bool) -> Result<()> {
        let op =
            line("set_neigh_suppress", ns, format!("{link} {}", if on { "on" } else { "off" }));
        let mut state = self.change(op.clone())?;
        if state.link(ns, link)?.master.is_none() {
            let source = io::Error::from_raw_os_error(libc::EOPNOTSUPP);
            return Err(NetlinkError::Kernel { op, source });
        }
        Ok(())
    }

    async fn set_up(&self, ns: Option<&str>, link: &str) -> Result<()> {
        let mut state = self.change(line("set_up", ns, link))?;
        state.link(ns, link)?.up = true;
        Ok(())
    }

    async fn set_down(&self, ns: Option<&str>, link: &str) -> Result<()> {
        let mut state = self.change(line("set_down", ns, link))?;
        state.link(ns, link)?.up = false;
        Ok(())
    }

    async fn set_mtu(&self, ns: Option<&str>, link: &str, mtu: u32) -> Result<()> {
        let op = line("set_mtu", ns, format!("{link} {mtu}"));
        let mut state = self.change(op.clone())?;
        let device = state.link(ns, link)?;
        if !(68..=65535).contains(&mtu) {
            let source = io::Error::from_raw_os_error(libc::EINVAL);
            return Err(NetlinkError::Kernel { op, source });
        }
        device.mtu = mtu;
        Ok(())
    }

    async fn delete_link(&self, ns: Option<&str>, name: &str) -> Result<()> {
        let mut state = self.change(line("delete_link", ns, name))?;
        check_link(name)?;
        state.space(ns)?;
        state.remove_link(&ns.map(str::to_owned), name);
        Ok(())
    }

    async fn link(&self, ns: Option<&str>, name: &str) -> Result<Option<LinkInfo>> {
        check_link(name)?;
        let mut state = self.lock();
        let space = state.space(ns)?;
        Ok(space.links.get(name).map(|link| State::link_info(space, name, link)))
    }

    /// The fake carries no traffic: a link's counters are zero.
    async fn link_stats(&self, ns: Option<&str>, name: &str) -> Result<Option<LinkStats>> {
        check_link(name)?;
        let mut state = self.lock();
        let space = state.space(ns)?;
        Ok(space.links.get(name).map(|_| LinkStats::default()))
    }

    async fn list_links(&self, ns: Option<&str>) -> Result<Vec<LinkInfo>> {
        let mut state = self.lock();
        let space = state.space(ns)?;
        let mut links: Vec<LinkInfo> =
            space.links.iter().map(|(name, link)| State::link_info(space, name, link)).collect();
        links.sort_by_key(|link| link.index);
        Ok(links)
    }

    async fn ensure_address(&self, ns: Option<&str>, link: &str, addr: Ipv4Net) -> Result<()> {
        let mut state = self.change(line("ensure_address", ns, format!("{link} {addr}")))?;
        state.link(ns, link)?;
        state.space(ns)?.addresses.insert(Address { link: link.to_owned(), addr });
        Ok(())
    }

    async fn delete_address(&self, ns: Option<&str>, link: &str, addr: Ipv4Net) -> Result<()> {
        let mut state = self.change(line("delete_address", ns, format!("{link} {addr}")))?;
        check_link(link)?;
        state.space(ns)?.addresses.remove(&Address { link: link.to_owned(), addr });
        Ok(())
    }

    async fn list_addresses(&self, ns: Option<&str>, link: Option<&str>) -> Result<Vec<Address>> {
        let mut state = self.lock();
        if let Some(link) = link {
            state.link(ns, link)?;
        }
        let space = state.space(ns)?;
        let wanted = |address: &&Address| link.is_none_or(|link| address.link == link);
        Ok(space.addresses.iter().filter(wanted).cloned().collect())
    }

    async fn ensure_route(
        &self,
        ns: Option<&str>,
        dest: Ipv4Net,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
    ) -> Result<()> {
        let args = format!("{dest} {} {}", or_dash(via), or_dash(dev));
        let mut state = self.change(line("ensure_route", ns, args))?;
        if via.is_none() && dev.is_none() {
            let reason = "it needs a gateway or a device";
            return Err(NetlinkError::Invalid { what: "route", value: dest.to_string(), reason });
        }
        if let Some(dev) = dev {
            state.link(ns, dev)?;
        }
        let dest = dest.trunc();
        let route = Route { dest, via, dev: dev.map(str::to_owned) };
        state.space(ns)?.routes.insert(dest, route);
        Ok(())
    }

    async fn delete_route(&self, ns: Option<&str>, dest: Ipv4Net) -> Result<()> {
        let mut state = self.change(line("delete_route", ns, format!("{dest}")))?;
        state.space(ns)?.routes.remove(&dest.trunc());
        Ok(())
    }

    async fn list_routes(&self, ns: Option<&str>) -> Result<Vec<Route>> {
        Ok(State::routes(self.lock().space(ns)?))
    }

    async fn fdb_flood_add(&self, ns: Option<&str>, vxlan: &str, remote: Ipv4Addr) -> Result<()> {
        let mut state = self.change(line("fdb_flood_add", ns, format!("{vxlan} {remote}")))?;
        state.link_of(ns, vxlan, LinkKind::Vxlan)?.flood.insert(remote);
        Ok(())
    }

    async fn fdb_flood_del(&self, ns: Option<&str>, vxlan: &str, remote: Ipv4Addr) -> Result<()> {
        let mut state = self.change(line("fdb_flood_del", ns, format!("{vxlan} {remote}")))?;
        check_link(vxlan)?;
        if !state.space(ns)?.links.contains_key(vxlan) {
            return Ok(());
        }
        state.link_of(ns, vxlan, LinkKind::Vxlan)?.flood.remove(&remote);
        Ok(())
    }

    async fn fdb_flood_list(&self, ns: Option<&str>, vxlan: &str) -> Result<Vec<Ipv4Addr>> {
        let mut state = self.lock();
        Ok(state.link_of(ns, vxlan, LinkKind::Vxlan)?.flood.iter().copied().collect())
    }

    async fn set_ip_forward(&self, ns: Option<&str>, enabled: bool) -> Result<()> {
        let mut state =
            self.change(line("set_ip_forward", ns, format!("{}", u8::from(enabled))))?;
        state.space(ns)?.ip_forward = enabled;
        Ok(())
    }

    async fn allow_forwarding(&self, ns: Option<&str>, bridge: &str) -> Result<()> {
        let mut state = self.change(line("allow_forwarding", ns, bridge.to_owned()))?;
        state.space(ns)?;
        Ok(())
    }

    async fn forget_forwarding(&self, ns: Option<&str>, bridge: &str) -> Result<()> {
        let mut state = self.change(line("forget_forwarding", ns, bridge.to_owned()))?;
        state.space(ns)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
