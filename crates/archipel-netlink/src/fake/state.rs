//! The fake's model of the kernel: namespaces holding links, addresses, routes, flood entries.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::error::{NetlinkError, Result};
use crate::names::{check_link, check_ns};
use crate::types::{ns_label, Address, LinkInfo, LinkKind, MacAddr, Route, VxlanConfig};

/// A namespace key: `None` is the host.
pub(super) type Ns = Option<String>;

#[derive(Debug, Clone)]
pub(super) struct Link {
    pub(super) index: u32,
    pub(super) kind: LinkKind,
    pub(super) mtu: u32,
    pub(super) up: bool,
    pub(super) master: Option<String>,
    pub(super) mac: MacAddr,
    /// The other end of a veth: its namespace and name.
    pub(super) peer: Option<(Ns, String)>,
    pub(super) vxlan: Option<VxlanConfig>,
    pub(super) flood: BTreeSet<Ipv4Addr>,
}

#[derive(Debug, Default)]
pub(super) struct Space {
    pub(super) links: BTreeMap<String, Link>,
    pub(super) addresses: BTreeSet<Address>,
    pub(super) routes: BTreeMap<Ipv4Net, Route>,
    pub(super) ip_forward: bool,
}

#[derive(Debug)]
pub(super) struct State {
    pub(super) spaces: BTreeMap<Ns, Space>,
    pub(super) calls: Vec<String>,
    pub(super) failures: Vec<String>,
    next_index: u32,
}

impl Default for State {
    fn default() -> Self {
        let mut state = Self {
            spaces: BTreeMap::new(),
            calls: Vec::new(),
            failures: Vec::new(),
            next_index: 1,
        };
        state.add_space(None, true);
        state
    }
}

impl State {
    /// A namespace as the kernel makes one: only a loopback, down unless it is the host's.
    pub(super) fn add_space(&mut self, ns: Ns, lo_up: bool) {
        let lo = self.new_link(LinkKind::Device, 65536);
        let mut space = Space::default();
        space.links.insert("lo".to_owned(), Link { up: lo_up, mac: MacAddr([0; 6]), ..lo });
        self.spaces.insert(ns, space);
    }

    pub(super) fn new_link(&mut self, kind: LinkKind, mtu: u32) -> Link {
        let index = self.next_index;
        self.next_index += 1;
        let [a, b, c, d] = index.to_be_bytes();
        Link {
            index,
            kind,
            mtu,
            up: false,
            master: None,
            mac: MacAddr([0x02, 0, a, b, c, d]),
            peer: None,
            vxlan: None,
            flood: BTreeSet::new(),
        }
    }

    pub(super) fn space(&mut self, ns: Option<&str>) -> Result<&mut Space> {
        check_ns(ns)?;
        self.spaces
            .get_mut(&ns.map(str::to_owned))
            .ok_or_else(|| NetlinkError::NetnsNotFound { name: ns.unwrap_or_default().to_owned() })
    }

    pub(super) fn link(&mut self, ns: Option<&str>, name: &str) -> Result<&mut Link> {
        check_link(name)?;
        self.space(ns)?
            .links
            .get_mut(name)
            .ok_or_else(|| NetlinkError::LinkNotFound { ns: ns_label(ns), link: name.to_owned() })
    }

    /// A link of the `expected` kind, or the error the real implementation gives.
    pub(super) fn link_of(
        &mut self,
        ns: Option<&str>,
        name: &str,
        expected: LinkKind,
    ) -> Result<&mut Link> {
        let link = self.link(ns, name)?;
        if link.kind != expected {
            return Err(NetlinkError::KindMismatch {
                ns: ns_label(ns),
                link: name.to_owned(),
                expected,
                found: link.kind.clone(),
            });
        }
        Ok(link)
    }

    /// Removes a link and what hangs on it; a veth takes its peer along, as in the kernel.
    pub(super) fn remove_link(&mut self, ns: &Ns, name: &str) {
        let Some(space) = self.spaces.get_mut(ns) else { return };
        let Some(link) = space.links.remove(name) else { return };
        space.addresses.retain(|address| address.link != name);
        space.routes.retain(|_, route| route.dev.as_deref() != Some(name));
        for other in space.links.values_mut() {
            if other.master.as_deref() == Some(name) {
                other.master = None;
            }
        }
        if let Some((peer_ns, peer)) = link.peer {
            self.remove_link(&peer_ns, &peer);
        }
    }

    /// Deletes a namespace: its links go, and so do the veths elsewhere paired with them.
    pub(super) fn remove_space(&mut self, ns: &Ns) {
        let Some(space) = self.spaces.remove(ns) else { return };
        for link in space.links.into_values() {
            if let Some((peer_ns, peer)) = link.peer {
                self.remove_link(&peer_ns, &peer);
            }
        }
    }

    pub(super) fn link_info(space: &Space, name: &str, link: &Link) -> LinkInfo {
        LinkInfo {
            name: name.to_owned(),
            index: link.index,
            kind: link.kind.clone(),
            mtu: link.mtu,
            up: link.up,
            master: link.master.clone().filter(|master| space.links.contains_key(master)),
            mac: Some(link.mac),
        }
    }

    /// The main table as the kernel shows it: explicit routes plus the connected route of every
    /// address on an up link.
    pub(super) fn routes(space: &Space) -> Vec<Route> {
        let connected = space.addresses.iter().filter_map(|address| {
            let up = space.links.get(&address.link).is_some_and(|link| link.up);
            up.then(|| Route {
                dest: address.addr.trunc(),
                via: None,
                dev: Some(address.link.clone()),
            })
        });
        let all: BTreeSet<Route> = space.routes.values().cloned().chain(connected).collect();
        all.into_iter().collect()
    }
}
