//! The master's side of creating a service: plan it, make its share, have every other site
//! make theirs, and undo everything everywhere when one site fails.

use std::collections::BTreeMap;

use archipel_ipam::{overlaps, split_pools, SubnetPlan};
use futures::future::join_all;

use super::Agent;
use crate::dataplane::{underlay_mtu, VXLAN_OVERHEAD};
use crate::error::AgentError;
use crate::model::{CreateRequest, Params, Resource, Service, ServiceType};

impl Agent {
    /// North POST: this site becomes the master of a new service over `req.resources`.
    pub async fn create(&self, req: CreateRequest) -> Result<Service, AgentError> {
        let _guard = self.changes.lock().await;
        let mut service = self.new_service(req)?;
        let remotes = self.remotes(&service);
        match service.kind {
            ServiceType::L2 => self.plan_l2(&mut service, &remotes).await?,
            ServiceType::L3 => self.plan_l3(&mut service, &remotes).await?,
        }
        self.apply_local(&service).await?;
        let joined = join_all(remotes.iter().map(|s| self.peers.join(s, &service))).await;
        if let Some(err) = joined.into_iter().find_map(Result::err) {
            tracing::warn!(service = %service.global_id, error = %err, "undoing a failed create");
            let id = service.global_id.as_str();
            join_all(remotes.iter().map(|s| self.peers.leave(s, id))).await;
            if let Some(local) = self.store.service(id)? {
                if let Err(undo) = self.remove_local(&local).await {
                    tracing::warn!(service = id, error = %undo.chain(), "cannot undo locally");
                }
            }
            return Err(err.into());
        }
        self.get(&service.global_id)
    }

    fn new_service(&self, req: CreateRequest) -> Result<Service, AgentError> {
        let mut sites: Vec<&str> = req.resources.iter().map(|r| r.site.as_str()).collect();
        sites.sort_unstable();
        if sites.windows(2).any(|w| w[0] == w[1]) {
            return Err(AgentError::Invalid("each site may bring one network only".into()));
        }
        if !sites.contains(&self.cfg.site.as_str()) {
            return Err(AgentError::Invalid(format!(
                "site {} (the master) must be one of the resources",
                self.cfg.site
            )));
        }
        if sites.len() < 2 {
            return Err(AgentError::Invalid("a service needs at least two sites".into()));
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

    /// The tunnel MTU: the underlay's minus the encapsulation.
    async fn tunnel_mtu(&self) -> Result<u32, AgentError> {
        let ns = self.cfg.netns.as_deref();
        Ok(underlay_mtu(self.nl.as_ref(), ns, self.cfg.underlay).await? - VXLAN_OVERHEAD)
    }

    /// L2: the master's subnet, free at every other site, split into one block per site (the
    /// master first) and a reserve; a VNI free everywhere.
    async fn plan_l2(&self, service: &mut Service, remotes: &[String]) -> Result<(), AgentError> {
        let name = self.own_network(service)?;
        let local = self.local_network(&name).await?;
        self.check_cidr_free(remotes, local.cidr).await?;
        let (vni, underlays) = self.choose_vni(remotes).await?;
        let plan = SubnetPlan::new(local.cidr, Some(local.gateway), Vec::new())
            .map_err(AgentError::Ipam)?;
        let sites = 1 + remotes.len();
        let mut blocks = split_pools(&plan, sites * (1 + self.cfg.reserve_per_site))
            .map_err(AgentError::Ipam)?
            .into_iter();
        let mut pools = BTreeMap::new();
        for site in std::iter::once(&self.cfg.site).chain(remotes) {
            pools.insert(site.clone(), blocks.next().unwrap_or_default());
        }
        service.params = Params {
            vni: Some(vni),
            cidr: Some(local.cidr),
            gateway: Some(local.gateway),
            mtu: Some(self.tunnel_mtu().await?),
            pools,
            reserve: blocks.collect(),
            underlays,
            ..Params::default()
        };
        Ok(())
    }

    /// L3: every site's subnet, none overlapping another; a VNI and a transit /24 free
    /// everywhere, one transit address per site.
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
        let (vni, underlays) = self.choose_vni(remotes).await?;
        let transit = self.choose_transit(remotes).await?;
        let mut hosts = transit.hosts();
        let mut addresses = BTreeMap::new();
        for site in underlays.keys() {
            let host = hosts.next().ok_or(AgentError::NothingFree { what: "transit address" })?;
            let net = ipnet::Ipv4Net::new(host, transit.prefix_len())
                .map_err(|_| AgentError::Invalid(format!("bad transit segment {transit}")))?;
            addresses.insert(site.clone(), net);
        }
        service.params = Params {
            vni: Some(vni),
            mtu: Some(self.tunnel_mtu().await?),
            underlays,
            transit: addresses,
            subnets: subnets.into_iter().map(|(site, _, cidr)| (site, cidr)).collect(),
            ..Params::default()
        };
        Ok(())
    }

    fn own_network(&self, service: &Service) -> Result<String, AgentError> {
        service
            .resource_of(&self.cfg.site)
            .map(|r| r.network.clone())
            .ok_or_else(|| AgentError::Invalid(format!("site {} is not a resource", self.cfg.site)))
    }
}
