//! The master's side of creating a service: plan it, make its share, have every other site
//! make theirs, and undo everything everywhere when one site fails.

use std::collections::{BTreeMap, BTreeSet};

use archipel_ipam::{overlaps, split_pools, SubnetPlan};
use futures::future::join_all;

use super::Agent;
use crate::error::AgentError;
use crate::model::{CreateRequest, Params, Resource, ResourceRef, Service, ServiceType};

impl Agent {
    /// North POST: this site becomes the master of a new service over `req.resources`.
    pub async fn create(&self, req: CreateRequest) -> Result<Service, AgentError> {
        self.check_request(Some(&req.name), Some(&req.resources))?;
        let _guard = self.changes.lock().await;
        let mut service = self.new_service(req)?;
        let remotes = self.remotes(&service);
        // Recorded before any other site is asked anything: a caller that gave up on the
        // create finds it by its name while it is planned, and a create the agent dies in is
        // undone, what the plan reserved at the other sites included.
        self.store.put_pending(&service)?;
        // The VNI is reserved last in each plan, so a plan that fails holds nothing anywhere.
        let planned = match service.kind {
            ServiceType::L2 => self.plan_l2(&mut service, &remotes).await,
            ServiceType::L3 => self.plan_l3(&mut service, &remotes).await,
        };
        if let Err(err) = planned {
            self.store.drop_pending(&service.global_id)?;
            return Err(err);
        }
        // The outline is what an undo needs, here as after a restart.
        let outline = service.outline();
        self.store.put_pending(&outline)?;
        match self.make_everywhere(service, &remotes).await {
            Ok(made) => {
                self.store.drop_pending(&outline.global_id)?;
                Ok(made)
            }
            Err(err) => {
                let id = &outline.global_id;
                tracing::warn!(service = %id, error = %err.chain(), "undoing a create");
                if let Err(undo) = self.abandon(&outline).await {
                    tracing::warn!(service = %id, error = %undo.chain(), "cannot undo a create");
                }
                Err(err)
            }
        }
    }

    /// Undoes a create that did not end well: every other site leaves (one that cannot be
    /// reached keeps a tombstone, so the convergence loop has it leave later) and this site
    /// removes its share, by its record or, when the create died before writing one, by the
    /// names its plan gave. Returns the sites that did not confirm. Run under the change lock.
    pub(super) async fn abandon(&self, service: &Service) -> Result<Vec<String>, AgentError> {
        let id = service.global_id.as_str();
        let remotes = self.remotes(service);
        // Leaving also drops what a site holds of the VNI.
        self.store.add_tombstones(id, &remotes)?;
        let unconfirmed = self.leave_sites(id, &remotes).await?;
        match self.store.service(id)? {
            Some(local) => self.remove_local(&local).await?,
            None => self.remove_unrecorded(service).await?,
        }
        self.store.drop_pending(id)?;
        Ok(unconfirmed)
    }

    /// Undoes the creates that died: the agent's last run died in them, or their own undo
    /// failed (this site's popd was down, say). A create holds the change lock to its end, so
    /// under the lock every create still recorded as in progress is a dead one; their callers
    /// were told they failed. Runs at start and on every convergence pass; one whose undo
    /// fails again stays for the next pass.
    pub async fn abandon_dead_creates(&self) {
        let _guard = self.changes.lock().await;
        let dead = match self.store.pending() {
            Ok(dead) => dead,
            Err(err) => {
                tracing::warn!(error = %AgentError::from(err).chain(), "cannot read the creates in progress");
                return;
            }
        };
        for service in dead {
            let id = service.global_id.as_str();
            match self.abandon(&service).await {
                Ok(_) => tracing::info!(service = id, "undid a create that died"),
                Err(err) => {
                    tracing::warn!(service = id, error = %err.chain(), "cannot undo a create yet")
                }
            }
        }
    }

    /// This site's share and every other site's, all at once: no site's share depends on
    /// another's, and the caller undoes them all when one fails. Returns this site's record.
    async fn make_everywhere(
        &self,
        service: Service,
        remotes: &[String],
    ) -> Result<Service, AgentError> {
        let view = service.view();
        let joins = self.peers.join_all(remotes, &view);
        let (local, joined) = futures::join!(self.apply_local(service), joins);
        let local = local?;
        joined.into_iter().try_for_each(|r| r.map_err(AgentError::from))?;
        Ok(local)
    }

    /// What a North request names, checked before anything is asked of another site: a
    /// name an operator can read, and sites this one knows as peers (naming another is the
    /// caller's mistake, not a failure of that site).
    pub(super) fn check_request(
        &self,
        name: Option<&str>,
        resources: Option<&[ResourceRef]>,
    ) -> Result<(), AgentError> {
        if let Some(name) = name {
            check_name("service name", name)?;
        }
        for r in resources.unwrap_or_default() {
            check_name("site name", &r.site)?;
            check_name("network name", &r.network)?;
            if r.site != self.cfg.site && !self.cfg.peers.contains_key(&r.site) {
                return Err(AgentError::UnknownSite {
                    site: r.site.clone(),
                    me: self.cfg.site.clone(),
                });
            }
        }
        Ok(())
    }

    fn new_service(&self, req: CreateRequest) -> Result<Service, AgentError> {
        if !distinct_sites(&req.resources)?.contains(&self.cfg.site) {
            return Err(AgentError::MasterNotAResource { site: self.cfg.site.clone() });
        }
        let suffix = hex::encode(rand::random::<[u8; 4]>());
        Ok(Service {
            global_id: format!("{}-{suffix}", self.cfg.site),
            kind: req.kind,
            name: req.name,
            master: self.cfg.site.clone(),
            params: Params::default(),
            resources: req
                .resources
                .into_iter()
                .map(|r| Resource { site: r.site, network: r.network, created: false })
                .collect(),
        })
    }

    /// L2: the master's subnet, free at every other site, split into one block per site (the
    /// master first) and a reserve; a VNI reserved everywhere.
    async fn plan_l2(&self, service: &mut Service, remotes: &[String]) -> Result<(), AgentError> {
        let name = self.own_network(service)?;
        let local = self.local_network(&name).await?;
        self.check_cidr_free(remotes, local.cidr).await?;
        // The network's own pools: what its VIM keeps out of them (Swarm's addresses) is
        // handed out nowhere.
        let plan = SubnetPlan::new(local.cidr, Some(local.gateway), local.pools.clone())
            .map_err(AgentError::Ipam)?;
        let sites = 1 + remotes.len();
        let mut blocks = split_pools(&plan, sites * (1 + self.cfg.reserve_per_site))
            .map_err(AgentError::Ipam)?
            .into_iter();
        let mut pools = BTreeMap::new();
        for site in std::iter::once(&self.cfg.site).chain(remotes) {
            pools.insert(site.clone(), blocks.next().unwrap_or_default());
        }
        let mtu = self.tunnel_mtu().await?;
        let (vni, underlays) = self.choose_vni(remotes, &service.global_id).await?;
        service.params = Params {
            vni: Some(vni),
            cidr: Some(local.cidr),
            gateway: Some(local.gateway),
            mtu: Some(mtu),
            pools,
            reserve: blocks.collect(),
            underlays,
            encryption: self.cfg.encryption,
            ..Params::default()
        };
        Ok(())
    }

    /// L3: every site's subnet, none overlapping another; a transit /24 free everywhere, one
    /// transit address per site; a VNI reserved everywhere.
    async fn plan_l3(&self, service: &mut Service, remotes: &[String]) -> Result<(), AgentError> {
        let name = self.own_network(service)?;
        let local = self.local_network(&name).await?;
        let asked = remotes.iter().map(|s| {
            let network = service.resource_of(s).map(|r| r.network.clone()).unwrap_or_default();
            async move { (s, network.clone(), self.peers.cidr(s, &network).await) }
        });
        let mut subnets = vec![(self.cfg.site.clone(), name, local.cidr)];
        for (site, network, reply) in join_all(asked).await {
            subnets.push((site.clone(), network, reply?.cidr));
        }
        for (i, (a_site, a_network, a_cidr)) in subnets.iter().enumerate() {
            for (b_site, b_network, b_cidr) in &subnets[i + 1..] {
                if overlaps(a_cidr, b_cidr) {
                    return Err(AgentError::Overlap {
                        a_site: a_site.clone(),
                        a_network: a_network.clone(),
                        a_cidr: *a_cidr,
                        b_site: b_site.clone(),
                        b_network: b_network.clone(),
                        b_cidr: *b_cidr,
                    });
                }
            }
        }
        let transit = self.choose_transit(remotes).await?;
        let mut hosts = transit.hosts();
        let mut addresses = BTreeMap::new();
        for site in service.sites() {
            let host = hosts.next().ok_or(AgentError::NothingFree { what: "transit address" })?;
            let net = ipnet::Ipv4Net::new(host, transit.prefix_len())
                .map_err(|_| AgentError::BadTransit { segment: transit })?;
            addresses.insert(site, net);
        }
        let mtu = self.tunnel_mtu().await?;
        let (vni, underlays) = self.choose_vni(remotes, &service.global_id).await?;
        service.params = Params {
            vni: Some(vni),
            mtu: Some(mtu),
            underlays,
            transit: addresses,
            subnets: subnets.into_iter().map(|(site, _, cidr)| (site, cidr)).collect(),
            encryption: self.cfg.encryption,
            ..Params::default()
        };
        Ok(())
    }

    pub(super) fn own_network(&self, service: &Service) -> Result<String, AgentError> {
        service.resource_of(&self.cfg.site).map(|r| r.network.clone()).ok_or_else(|| {
            AgentError::NotAResource {
                site: self.cfg.site.clone(),
                global_id: service.global_id.clone(),
            }
        })
    }
}

/// The longest name a request may give a service, a site or a network.
pub const NAME_MAX: usize = 128;

/// A name of 1 to [`NAME_MAX`] characters, none of them a control character (a newline or a
/// NUL would forge log lines and break the stores' text columns).
fn check_name(what: &'static str, name: &str) -> Result<(), AgentError> {
    let problem = if name.is_empty() {
        "empty"
    } else if name.chars().count() > NAME_MAX {
        "too long"
    } else if name.chars().any(char::is_control) {
        "holding a control character"
    } else {
        return Ok(());
    };
    Err(AgentError::BadName { what, problem })
}

/// The sites of `resources`: at least two, each bringing one network.
pub(super) fn distinct_sites(resources: &[ResourceRef]) -> Result<BTreeSet<String>, AgentError> {
    let sites: BTreeSet<String> = resources.iter().map(|r| r.site.clone()).collect();
    if sites.len() < resources.len() {
        return Err(AgentError::SiteTwice);
    }
    if sites.len() < 2 {
        return Err(AgentError::TooFewSites);
    }
    Ok(sites)
}
