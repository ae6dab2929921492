//! A site's own share of a service: what it makes for it, what it removes, and the queries the
//! master asks of it.

use archipel_ipam::{overlaps, SubnetPlan};
use ipnet::Ipv4Net;

use super::Agent;
use crate::dataplane::{self, attach_l2, attach_l3, l2_device, l3_device, DataplaneError, Tunnel};
use crate::error::AgentError;
use crate::guard;
use crate::model::{
    CidrInfo, Connection, FreeReply, Revisions, RevisionsReply, Service, ServiceType,
};
use crate::vim::{NetworkSpec, SiteNetwork};

fn missing(service: &Service, what: &'static str) -> AgentError {
    AgentError::Incomplete { global_id: service.global_id.clone(), what }
}

impl Agent {
    /// East-West POST from `caller`: takes part in a service the master planned, once its
    /// plan is checked against this site's state ([`Agent::check_join`]). Joining twice is a
    /// no-op.
    pub async fn join(&self, caller: &str, service: Service) -> Result<(), AgentError> {
        let _guard = self.changes.lock().await;
        if let Some(held) = self.store.service(&service.global_id)? {
            return self.check_view(caller, &held).await;
        }
        // A join that arrives after the master had this site leave (a slow network can
        // deliver them so) would make a share nobody undoes; a later view (the site added
        // again) has a higher revision.
        if let Some(left_at) = self.store.left_at(&service.global_id)? {
            if service.params.revision <= left_at {
                return Err(AgentError::JoinAfterLeave { global_id: service.global_id });
            }
        }
        // Who asks is checked first: a stranger learns nothing of this site's settings.
        self.check_join(caller, &service).await?;
        if service.params.encryption != self.cfg.encryption {
            return Err(AgentError::EncryptionMismatch {
                global_id: service.global_id,
                asked: service.params.encryption,
                mine: self.cfg.encryption,
            });
        }
        let service = self.record_join(service).await?;
        let id = service.global_id.clone();
        self.apply_local(service).await?;
        Ok(self.store.drop_pending_join(&id)?)
    }

    /// Records a join before this site makes anything, so that a join that fails half-way, or
    /// that the agent dies in, is undone by the leave its master sends: its outline, with this
    /// site's resource alone. An L2 network is the join's own when it is not there yet, or when
    /// an earlier attempt of this join made it. A view from a master that still sends its
    /// reserve is kept without it.
    async fn record_join(&self, mut service: Service) -> Result<Service, AgentError> {
        let site = self.cfg.site.clone();
        let network = self.own_network(&service)?;
        let ours = service.kind == ServiceType::L2
            && (self
                .store
                .pending_join(&service.global_id)?
                .and_then(|earlier| earlier.resource_of(&site).map(|r| r.created))
                .unwrap_or(false)
                || self.vim.network(&network).await?.is_none());
        for r in &mut service.resources {
            r.created = r.site == site && ours;
        }
        service.params.reserve = Vec::new();
        let mut record = service.outline();
        record.resources.retain(|r| r.site == site);
        self.store.put_pending_join(&record)?;
        Ok(service)
    }

    /// East-West PUT: the master's new view of a service; this site keeps its own facts and
    /// floods toward exactly the sites of the view. A view older than the one held (a
    /// convergence push that crossed a change) is ignored.
    pub async fn sync(&self, caller: &str, mut service: Service) -> Result<(), AgentError> {
        let _guard = self.changes.lock().await;
        let old = self.get(&service.global_id)?;
        self.check_sync(caller, &old, &service).await?;
        if service.params.revision < old.params.revision {
            tracing::debug!(service = %service.global_id, "an older view is ignored");
            return Ok(());
        }
        for r in &mut service.resources {
            r.created =
                old.resource_of(&r.site).is_some_and(|o| o.created && r.site == self.cfg.site);
        }
        service.params.reserve = Vec::new();
        self.store.put_service(&service)?;
        self.follow_underlays(&service).await
    }

    /// East-West DELETE from `caller`, the service's master: removes what this site made for
    /// a service, and drops what it holds of the service's VNI; nothing to remove is fine.
    pub async fn leave(&self, caller: &str, global_id: &str) -> Result<(), AgentError> {
        let _guard = self.changes.lock().await;
        match self.store.service(global_id)? {
            Some(service) if service.master != caller => Err(AgentError::NotYours {
                caller: caller.to_owned(),
                global_id: global_id.to_owned(),
                owner: service.master,
            }),
            Some(service) => {
                self.remove_local(&service).await?;
                self.store.drop_pending_join(global_id)?;
                Ok(self.store.mark_left(global_id, service.params.revision)?)
            }
            None => {
                self.check_owner(caller, global_id)?;
                if let Some(joining) = self.store.pending_join(global_id)? {
                    self.remove_unrecorded(&joining).await?;
                    self.store.drop_pending_join(global_id)?;
                    return Ok(self.store.mark_left(global_id, joining.params.revision)?);
                }
                self.store.release_vnis(global_id)?;
                // A join of the create this leave undoes may still be on its way.
                Ok(self.store.mark_left(global_id, 0)?)
            }
        }
    }

    /// East-West POST from `caller`, a master: which of the services it names this site does
    /// not hold, and which it holds at an older revision. Services another site masters are
    /// left out of the answer.
    pub fn revisions(
        &self,
        caller: &str,
        revisions: &Revisions,
    ) -> Result<RevisionsReply, AgentError> {
        let mut reply = RevisionsReply::default();
        for (id, revision) in &revisions.services {
            match self.store.service(id)? {
                None => reply.missing.push(id.clone()),
                Some(held) if held.master != caller => {}
                Some(held) if held.params.revision < *revision => reply.stale.push(id.clone()),
                Some(_) => {}
            }
        }
        Ok(reply)
    }

    /// East-West GET from `caller`: a service it takes part in.
    pub fn show(&self, caller: &str, global_id: &str) -> Result<Service, AgentError> {
        let service = self.get(global_id)?;
        if service.resource_of(caller).is_none() {
            return Err(AgentError::NotAParticipant {
                caller: caller.to_owned(),
                global_id: global_id.to_owned(),
            });
        }
        Ok(service)
    }

    /// East-West query: a network's subnet.
    pub async fn cidr_of(&self, network: &str) -> Result<CidrInfo, AgentError> {
        let n = self.local_network(network).await?;
        Ok(CidrInfo { network: n.name, cidr: n.cidr, gateway: n.gateway })
    }

    /// East-West query: whether no network or transit segment of this site overlaps `cidr`.
    pub async fn cidr_free(&self, cidr: Ipv4Net) -> Result<FreeReply, AgentError> {
        let mut conflict = self
            .vim
            .networks()
            .await?
            .into_iter()
            .find(|n| overlaps(&n.cidr, &cidr))
            .map(|n| format!("network {} ({})", n.name, n.cidr));
        if conflict.is_none() {
            conflict = self.store.services()?.into_iter().find_map(|s| {
                let transit = s.params.transit.get(&self.cfg.site)?.trunc();
                overlaps(&transit, &cidr)
                    .then(|| format!("the transit segment {transit} of service {}", s.global_id))
            });
        }
        Ok(FreeReply { free: conflict.is_none(), conflict, underlay: self.cfg.underlay })
    }

    pub(super) async fn local_network(&self, name: &str) -> Result<SiteNetwork, AgentError> {
        self.vim.network(name).await?.ok_or_else(|| AgentError::NoNetwork {
            site: self.cfg.site.clone(),
            network: name.to_owned(),
        })
    }

    /// Makes this site's share of a service and stores it (the record it returns); on failure
    /// undoes what it made.
    pub(super) async fn apply_local(&self, mut service: Service) -> Result<Service, AgentError> {
        let (device, netns, created) = self.make_local(&service).await?;
        let site = self.cfg.site.as_str();
        for r in &mut service.resources {
            r.created = r.site == site && created;
        }
        let connection = Connection {
            global_id: service.global_id.clone(),
            kind: "vxlan".into(),
            netns: netns.unwrap_or_default(),
            device,
        };
        self.store.put_service(&service)?;
        self.store.add_connection(&connection)?;
        Ok(service)
    }

    /// This site's share of a service in the kernel and its VIM: its tunnel device, the
    /// namespace holding it, and whether the service made the network. On failure undoes what
    /// it made.
    async fn make_local(
        &self,
        service: &Service,
    ) -> Result<(String, Option<String>, bool), AgentError> {
        let site = self.cfg.site.as_str();
        let me = service.resource_of(site).ok_or_else(|| AgentError::NotAResource {
            site: site.to_owned(),
            global_id: service.global_id.clone(),
        })?;
        let p = &service.params;
        let tunnel = self.tunnel(service)?;
        let (vni, mtu) = (tunnel.vni, tunnel.mtu);
        if let Err(err) = self.wg_converge(Some(service)).await {
            let _ = self.wg_converge(None).await;
            return Err(err);
        }
        let (net, created, attached) = match service.kind {
            ServiceType::L2 => {
                let cidr = p.cidr.ok_or_else(|| missing(service, "subnet"))?;
                let gateway = p.gateway.ok_or_else(|| missing(service, "gateway"))?;
                let pools = p.pools.get(site).cloned().ok_or_else(|| missing(service, "pools"))?;
                let (net, created) = match self.vim.network(&me.network).await? {
                    Some(n) if n.cidr != cidr => {
                        return Err(AgentError::CidrMismatch {
                            network: n.name,
                            site: site.to_owned(),
                            found: n.cidr,
                            cidr,
                        })
                    }
                    // An earlier attempt of this join made it (the join's record says so).
                    Some(_) => (
                        self.vim.update_network(&me.network, Some(pools), Some(mtu)).await?,
                        me.created,
                    ),
                    None => {
                        let spec = NetworkSpec {
                            name: me.network.clone(),
                            cidr,
                            gateway,
                            pools,
                            mtu: Some(mtu),
                        };
                        (self.vim.create_network(&spec).await?, true)
                    }
                };
                let ns = net.netns.as_deref();
                let attached = attach_l2(self.nl.as_ref(), ns, &net.bridge, &tunnel).await;
                (net, created, attached.map_err(|e| (e, l2_device(vni))))
            }
            ServiceType::L3 => {
                let net = self.fit_mtu(self.local_network(&me.network).await?, mtu).await;
                let address =
                    *p.transit.get(site).ok_or_else(|| missing(service, "transit address"))?;
                let routes: Vec<_> = p
                    .subnets
                    .iter()
                    .filter(|(s, _)| *s != site)
                    .filter_map(|(s, subnet)| Some((*subnet, p.transit.get(s)?.addr())))
                    .collect();
                let ns = net.netns.as_deref();
                let attached = attach_l3(self.nl.as_ref(), ns, &tunnel, address, &routes).await;
                (net, false, attached.map_err(|e| (e, l3_device(vni))))
            }
        };
        let ns = net.netns.as_deref();
        let attached = match attached {
            Ok(device) => match self.guard(service, ns, &tunnel).await {
                Ok(()) => Ok(device),
                Err(err) => Err((err, device)),
            },
            Err((err, device)) => Err((err.into(), device)),
        };
        let device = match attached {
            Ok(device) => device,
            Err((err, device)) => {
                let _ = dataplane::detach(self.nl.as_ref(), ns, &device).await;
                let _ = self.release_network(service, &net.name, created).await;
                let _ = self.wg_converge(None).await;
                return Err(err);
            }
        };
        Ok((device, net.netns, created))
    }

    /// Removes this site's share of a service and forgets the service.
    pub(super) async fn remove_local(&self, service: &Service) -> Result<(), AgentError> {
        for c in self.store.connections(&service.global_id)? {
            let ns = Some(c.netns.as_str()).filter(|ns| !ns.is_empty());
            dataplane::detach(self.nl.as_ref(), ns, &c.device).await?;
            if let Some(vni) = service.params.vni {
                guard::remove_all(self.fw.as_ref(), ns, vni).await.map_err(DataplaneError::from)?;
            }
        }
        if let Some(me) = service.resource_of(&self.cfg.site) {
            self.release_network(service, &me.network, me.created).await?;
        }
        self.store.delete_service(&service.global_id)?;
        self.store.release_vnis(&service.global_id)?;
        self.wg_converge(None).await
    }

    /// Removes what a create or a join that died before recording this site's share may have
    /// made: the tunnel device the plan names, its firewall rules, and the network when the
    /// plan says this site made it (a join's), else its pools (a master's network is never one
    /// the service made).
    pub(super) async fn remove_unrecorded(&self, service: &Service) -> Result<(), AgentError> {
        let id = service.global_id.as_str();
        let me = self.own_network(service)?;
        if let Some(vni) = service.params.vni {
            let networks = self.vim.networks().await?;
            let net = networks.iter().find(|n| n.name == me);
            // The network may be gone before its tunnel (the NFVO deletes it when this agent
            // did not answer the leave): the tunnel is then sought where popd makes its other
            // networks (the agent's own namespace when it has none).
            let ns = net.or(networks.first()).and_then(|n| n.netns.as_deref());
            let device = match service.kind {
                ServiceType::L2 => l2_device(vni),
                ServiceType::L3 => l3_device(vni),
            };
            dataplane::detach(self.nl.as_ref(), ns, &device).await?;
            guard::remove_all(self.fw.as_ref(), ns, vni).await.map_err(DataplaneError::from)?;
            if net.is_some() {
                let made = service.resource_of(&self.cfg.site).is_some_and(|r| r.created);
                self.release_network(service, &me, made).await?;
            }
        }
        self.store.release_vnis(id)?;
        self.wg_converge(None).await
    }

    /// L2: this site's tunnel floods toward exactly the other underlays of the view, changed
    /// in place, so that traffic among the sites that stay is never interrupted; its firewall
    /// accepts exactly them (every kind).
    pub(super) async fn follow_underlays(&self, service: &Service) -> Result<(), AgentError> {
        self.wg_converge(None).await?;
        let tunnel = self.tunnel(service)?;
        for c in self.store.connections(&service.global_id)? {
            let ns = Some(c.netns.as_str()).filter(|ns| !ns.is_empty());
            if service.kind == ServiceType::L2 {
                dataplane::set_floods(self.nl.as_ref(), ns, &c.device, &tunnel.remotes).await?;
            }
            self.guard(service, ns, &tunnel).await?;
        }
        Ok(())
    }

    /// At start: the firewall of every service this site holds, as the kernel may have lost
    /// it (the devices and routes are re-adopted as they are).
    pub async fn readopt(&self) -> Result<(), AgentError> {
        let _guard = self.changes.lock().await;
        for service in self.store.services()? {
            let tunnel = self.tunnel(&service)?;
            for c in self.store.connections(&service.global_id)? {
                let ns = Some(c.netns.as_str()).filter(|ns| !ns.is_empty());
                self.guard(&service, ns, &tunnel).await?;
            }
        }
        Ok(())
    }

    /// This site's tunnel of a service: toward the other sites' underlays, or their inner
    /// WireGuard addresses when the service is encrypted ([`Agent::tunnel_ends`]).
    fn tunnel(&self, service: &Service) -> Result<Tunnel, AgentError> {
        let p = &service.params;
        let (local, remotes) = self.tunnel_ends(service);
        Ok(Tunnel {
            vni: p.vni.ok_or_else(|| missing(service, "VNI"))?,
            local,
            remotes,
            mtu: p.mtu.ok_or_else(|| missing(service, "MTU"))?,
        })
    }

    /// The rule sets of a service's tunnel (and, for L3, of its forwarding), all or none.
    async fn guard(
        &self,
        service: &Service,
        ns: Option<&str>,
        tunnel: &Tunnel,
    ) -> Result<(), AgentError> {
        let mut sets = vec![guard::vxlan_guard(tunnel)];
        if service.kind == ServiceType::L3 {
            let site = self.cfg.site.as_str();
            let subnets = &service.params.subnets;
            let local = *subnets.get(site).ok_or_else(|| missing(service, "subnet"))?;
            let remotes: Vec<Ipv4Net> =
                subnets.iter().filter(|(s, _)| *s != site).map(|(_, c)| *c).collect();
            let device = l3_device(tunnel.vni);
            sets.push(guard::routed_guard(tunnel.vni, &device, local, &remotes));
        }
        guard::ensure_all(self.fw.as_ref(), ns, &sets).await.map_err(DataplaneError::from)?;
        Ok(())
    }

    /// L3: the network takes the tunnel's MTU when it has more, so that its containers never
    /// send a packet that the transit cannot carry. Docker cannot change a network's MTU in
    /// place: there the MSS clamp still keeps TCP whole (the NFVO makes its networks with the
    /// tunnel MTU from the start).
    async fn fit_mtu(&self, net: SiteNetwork, mtu: u32) -> SiteNetwork {
        // 0: the VIM's default, the underlay's own in practice.
        if net.mtu != 0 && net.mtu <= mtu {
            return net;
        }
        match self.vim.update_network(&net.name, None, Some(mtu)).await {
            Ok(fitted) => fitted,
            Err(err) => {
                let network = net.name.as_str();
                tracing::warn!(network, mtu, error = %err, "cannot lower the network's MTU");
                net
            }
        }
    }

    /// Deletes the network this site made for an L2 service, or gives an adopted one its whole
    /// subnet back.
    async fn release_network(
        &self,
        service: &Service,
        network: &str,
        created: bool,
    ) -> Result<(), AgentError> {
        if created {
            return Ok(self.vim.delete_network(network).await?);
        }
        if let (ServiceType::L2, Some(cidr)) = (service.kind, service.params.cidr) {
            // A network removed meanwhile (its NFVO deleted it first) has no pools to give back.
            if self.vim.network(network).await?.is_none() {
                return Ok(());
            }
            let plan = SubnetPlan::new(cidr, service.params.gateway, Vec::new())
                .map_err(AgentError::Ipam)?;
            self.vim.update_network(network, Some(plan.pools().to_vec()), None).await?;
        }
        Ok(())
    }
}
