//! What a participant checks before it acts on an East-West call, against its own
//! configuration and state: the calling site (already authenticated by the transport) must be
//! the one the request says acts, and nothing in a master's view may reach beyond the
//! service (another service's VNI or network, an address that is no peer's, pools outside the
//! subnet). A refused call changes nothing.

use archipel_ipam::SubnetPlan;

use super::Agent;
use crate::error::AgentError;
use crate::model::{Service, ServiceType};

/// The largest VNI: 24 bits.
const MAX_VNI: u32 = 0x00FF_FFFF;

pub(super) fn check_vni(vni: u32) -> Result<(), AgentError> {
    if vni == 0 || vni > MAX_VNI {
        return Err(AgentError::BadVni { vni });
    }
    Ok(())
}

impl Agent {
    /// The site that made `global_id` (`<site>-<suffix>`), among this one and its peers: the
    /// longest name that prefixes it, so that hyphenated site names are told apart. Looked up
    /// at each hyphen, longest first, not tried against every peer.
    fn owner_of(&self, global_id: &str) -> Option<&str> {
        global_id
            .match_indices('-')
            .rev()
            .filter(|(i, _)| i + 1 < global_id.len())
            .map(|(i, _)| &global_id[..i])
            .find_map(|prefix| match prefix == self.cfg.site {
                true => Some(self.cfg.site.as_str()),
                false => self.cfg.peers.get_key_value(prefix).map(|(site, _)| site.as_str()),
            })
    }

    /// Walks `sorted` (ascending by site, as a map's keys are) along the configured peers
    /// (ascending too), giving `each` every item with its site's underlay (this site's own for
    /// itself); the first site that is neither this one nor a peer is refused. One walk, not a
    /// lookup a site: a view over hundreds of sites names each three times.
    fn walk_known<'a, T>(
        &self,
        sorted: impl IntoIterator<Item = (&'a String, T)>,
        mut each: impl FnMut(&'a String, T, std::net::Ipv4Addr) -> Result<(), AgentError>,
    ) -> Result<(), AgentError> {
        let me = &self.cfg.site;
        let mut peers = self.cfg.peers.iter().peekable();
        for (site, item) in sorted {
            let known = if site == me {
                self.cfg.underlay
            } else {
                while peers.next_if(|(peer, _)| *peer < site).is_some() {}
                match peers.peek() {
                    Some((peer, underlay)) if *peer == site => **underlay,
                    _ => {
                        let site = site.clone();
                        return Err(AgentError::UnknownSite { site, me: me.clone() });
                    }
                }
            };
            each(site, item, known)?;
        }
        Ok(())
    }

    /// `caller` made the service `global_id`, so it may reserve, release and leave for it.
    pub(super) fn check_owner(&self, caller: &str, global_id: &str) -> Result<(), AgentError> {
        match self.owner_of(global_id) {
            Some(owner) if owner == caller => Ok(()),
            owner => Err(AgentError::NotYours {
                caller: caller.to_owned(),
                global_id: global_id.to_owned(),
                owner: owner.unwrap_or("no known site").to_owned(),
            }),
        }
    }

    /// A master's view of a service, as a join or a sync brings it: from its master, about
    /// this site, naming known sites at their configured underlay addresses, with a VNI and an
    /// address plan that hold together.
    pub(super) async fn check_view(
        &self,
        caller: &str,
        service: &Service,
    ) -> Result<(), AgentError> {
        if service.master != caller {
            return Err(AgentError::CallerNotMaster {
                caller: caller.to_owned(),
                master: service.master.clone(),
            });
        }
        self.check_owner(caller, &service.global_id)?;
        let me = self.cfg.site.as_str();
        let mine = service.resource_of(me).ok_or_else(|| AgentError::NotAResource {
            site: me.to_owned(),
            global_id: service.global_id.clone(),
        })?;
        let p = &service.params;
        if let Some(vni) = p.vni {
            check_vni(vni)?;
        }
        let mut named: Vec<(&String, ())> =
            service.resources.iter().map(|r| (&r.site, ())).collect();
        named.sort_unstable();
        self.walk_known(named, |_, (), _| Ok(()))?;
        self.walk_known(p.pools.keys().map(|site| (site, ())), |_, (), _| Ok(()))?;
        self.walk_known(&p.underlays, |site, given, known| match *given == known {
            true => Ok(()),
            false => Err(AgentError::WrongUnderlay { site: site.clone(), given: *given, known }),
        })?;
        match service.kind {
            ServiceType::L2 => self.check_plan(service),
            ServiceType::L3 => {
                let own = self.local_network(&mine.network).await?;
                match p.subnets.get(me) {
                    Some(cidr) if *cidr == own.cidr => Ok(()),
                    given => Err(AgentError::CidrMismatch {
                        network: own.name,
                        site: me.to_owned(),
                        found: own.cidr,
                        cidr: given.copied().unwrap_or_default(),
                    }),
                }
            }
        }
    }

    /// L2: every site's pools lie inside the subnet and miss its network, broadcast and
    /// gateway addresses; this site has some.
    fn check_plan(&self, service: &Service) -> Result<(), AgentError> {
        let id = &service.global_id;
        let missing = |what| AgentError::Incomplete { global_id: id.clone(), what };
        let p = &service.params;
        let cidr = p.cidr.ok_or_else(|| missing("subnet"))?;
        let gateway = p.gateway.ok_or_else(|| missing("gateway"))?;
        if p.pools.get(&self.cfg.site).is_none_or(Vec::is_empty) {
            return Err(missing("pools"));
        }
        for (site, pools) in &p.pools {
            let bad =
                |source| AgentError::BadPlan { global_id: id.clone(), site: site.clone(), source };
            let plan = SubnetPlan::new(cidr, Some(gateway), pools.clone()).map_err(bad)?;
            if pools.iter().any(|pool| pool.contains(gateway)) {
                let source =
                    archipel_ipam::IpamError::Reserved { addr: gateway, subnet: plan.cidr() };
                return Err(bad(source));
            }
        }
        Ok(())
    }

    /// A join: the view holds (see [`Agent::check_view`]); this site's network is in no other
    /// service, and for L2 new or already this service's; the VNI is free here, and held for
    /// the service from now on.
    pub(super) async fn check_join(
        &self,
        caller: &str,
        service: &Service,
    ) -> Result<(), AgentError> {
        self.check_view(caller, service).await?;
        let me = self.cfg.site.as_str();
        let network = service.resource_of(me).map(|r| r.network.as_str()).unwrap_or_default();
        let other = self.store.services()?.into_iter().find(|s| {
            s.global_id != service.global_id
                && s.resource_of(me).is_some_and(|r| r.network == network)
        });
        if let Some(other) = other {
            return Err(AgentError::NetworkInService {
                site: me.to_owned(),
                network: network.to_owned(),
                global_id: other.global_id,
            });
        }
        // A master finds the subnet free here before it plans a join, so the network exists
        // already only when this site made it for the service and lost its record (a crash
        // between the two): it then holds this site's pools. Any other would be narrowed
        // and bridged to the other sites.
        if service.kind == ServiceType::L2 {
            let sorted = |mut pools: Vec<_>| {
                pools.sort();
                pools
            };
            let planned = service.params.pools.get(me).cloned().map(sorted);
            if let Some(net) = self.vim.network(network).await? {
                if Some(sorted(net.pools)) != planned {
                    let site = me.to_owned();
                    return Err(AgentError::NetworkExists { site, network: network.to_owned() });
                }
            }
        }
        let vni = service.params.vni.ok_or_else(|| AgentError::Incomplete {
            global_id: service.global_id.clone(),
            what: "VNI",
        })?;
        match self.hold_vni(vni, &service.global_id)?.conflict {
            Some(conflict) => Err(AgentError::VniTaken { site: me.to_owned(), vni, conflict }),
            None => Ok(()),
        }
    }

    /// A sync: the view holds, comes from the service's master as this site knows it, and
    /// keeps what is fixed at creation (type, VNI, subnet, gateway, this site's network).
    pub(super) async fn check_sync(
        &self,
        caller: &str,
        old: &Service,
        new: &Service,
    ) -> Result<(), AgentError> {
        if old.master != caller {
            return Err(AgentError::NotYours {
                caller: caller.to_owned(),
                global_id: old.global_id.clone(),
                owner: old.master.clone(),
            });
        }
        self.check_view(caller, new).await?;
        let me = self.cfg.site.as_str();
        let network = |s: &Service| s.resource_of(me).map(|r| r.network.clone());
        let (a, b) = (&old.params, &new.params);
        let changed = [
            (old.kind != new.kind, "type"),
            (a.vni != b.vni, "VNI"),
            (a.cidr != b.cidr, "subnet"),
            (a.gateway != b.gateway, "gateway"),
            (network(old) != network(new), "network at this site"),
        ];
        match changed.into_iter().find(|(changed, _)| *changed) {
            Some((_, what)) => {
                Err(AgentError::FixedChanged { global_id: old.global_id.clone(), what })
            }
            None => Ok(()),
        }
    }
}
