//! The master's side of changing a service: its name, and the sites of an L2 extension.
//! Newcomers join before anyone leaves, so a newcomer that fails leaves everything as it was.

use std::collections::BTreeSet;

use futures::future::join_all;

use super::create::distinct_sites;
use super::reserve::Reserved;
use super::Agent;
use crate::error::AgentError;
use crate::model::{Resource, ResourceRef, Service, ServiceType, UpdateReply, UpdateRequest};

impl Agent {
    /// North PUT: renames a service and/or changes the sites of an L2 extension, then gives
    /// every site the new view. Newcomers reserve the service's VNI and join, all or none: when
    /// one fails, the request fails naming it and nothing has changed anywhere. Departing sites
    /// leave; one that does not confirm keeps a tombstone, as with a delete. The reply names the
    /// sites the change has not reached yet (still to leave, or missing the new view): the
    /// convergence loop takes it there.
    pub async fn update(
        &self,
        global_id: &str,
        req: UpdateRequest,
    ) -> Result<UpdateReply, AgentError> {
        self.check_request(req.name.as_deref(), req.resources.as_deref())?;
        let _guard = self.changes.lock().await;
        let mut service = self.mastered(global_id)?;
        service.params.revision += 1;
        if let Some(name) = req.name {
            service.name = name;
        }
        let (added, removed) = match req.resources {
            Some(resources) => self.membership(&service, resources)?,
            None => Default::default(),
        };
        drop_sites(&mut service, &removed);
        self.add_sites(&mut service, &added).await?;
        // Stored before anyone leaves: the tombstones then cover a crash in between.
        self.store.put_service(&service)?;
        self.store.add_tombstones(global_id, &removed)?;
        let mut pending = self.leave_sites(global_id, &removed).await?;
        self.follow_underlays(&service).await?;
        let sites = self.remotes(&service);
        let view = service.view();
        let pushed = join_all(sites.iter().map(|s| self.peers.update(s, &view))).await;
        for (site, result) in sites.into_iter().zip(pushed) {
            if let Err(err) = result {
                tracing::warn!(service = global_id, %site, error = %err, "the site syncs later");
                pending.push(site);
            }
        }
        Ok(UpdateReply { service: self.get(global_id)?, pending })
    }

    /// The sites `resources` adds (with their networks) and the sites it removes; refuses what
    /// the extension cannot become.
    fn membership(
        &self,
        service: &Service,
        resources: Vec<ResourceRef>,
    ) -> Result<(Vec<ResourceRef>, Vec<String>), AgentError> {
        let id = &service.global_id;
        if service.kind != ServiceType::L2 {
            return Err(AgentError::L3Membership { global_id: id.clone() });
        }
        let kept: BTreeSet<String> = distinct_sites(&resources)?;
        if !kept.contains(&self.cfg.site) {
            return Err(AgentError::MasterRemoved {
                site: self.cfg.site.clone(),
                global_id: id.clone(),
            });
        }
        let mut added = Vec::new();
        for r in resources {
            match service.resource_of(&r.site) {
                Some(old) if old.network != r.network => {
                    return Err(AgentError::NetworkChange {
                        site: r.site,
                        global_id: id.clone(),
                        network: old.network.clone(),
                        asked: r.network,
                    })
                }
                Some(_) => {}
                None => added.push(r),
            }
        }
        let removed = service.sites().into_iter().filter(|s| !kept.contains(s)).collect();
        Ok((added, removed))
    }

    /// Newcomers: the subnet must be free there and the service's VNI reserved; each takes a
    /// block from the reserve and joins. All or none: on failure the newcomers leave again.
    async fn add_sites(
        &self,
        service: &mut Service,
        added: &[ResourceRef],
    ) -> Result<(), AgentError> {
        if added.is_empty() {
            return Ok(());
        }
        let id = service.global_id.clone();
        let sites: Vec<String> = added.iter().map(|r| r.site.clone()).collect();
        let tombstones = self.store.tombstones()?;
        if let Some((_, site)) = tombstones.iter().find(|(g, s)| *g == id && sites.contains(s)) {
            return Err(AgentError::StillLeaving { site: site.clone(), global_id: id });
        }
        if service.params.reserve.len() < added.len() {
            return Err(AgentError::ReserveEmpty { global_id: id });
        }
        let (Some(vni), Some(cidr)) = (service.params.vni, service.params.cidr) else {
            return Err(AgentError::Incomplete { global_id: id, what: "VNI or its subnet" });
        };
        self.check_cidr_free(&sites, cidr).await?;
        let underlays = match self.reserve_at(&sites, vni, &id).await? {
            Reserved::All(underlays) => underlays,
            Reserved::Taken { site, conflict } => {
                return Err(AgentError::VniTaken { site, vni, conflict })
            }
        };
        for r in added {
            let block = service.params.reserve.remove(0);
            service.params.pools.insert(r.site.clone(), block);
            let (site, network) = (r.site.clone(), r.network.clone());
            service.resources.push(Resource { site, network, created: false });
        }
        service.params.underlays.extend(underlays);
        let joined = self.peers.join_all(&sites, &service.view()).await;
        if let Some(err) = joined.into_iter().find_map(Result::err) {
            tracing::warn!(service = %id, error = %err, "undoing the newcomers");
            // Leaving also drops what a site holds of the VNI; a newcomer that cannot be
            // reached keeps a tombstone and leaves later.
            self.store.add_tombstones(&id, &sites)?;
            self.leave_sites(&id, &sites).await?;
            // They have left as of this revision and refuse a join at it: the next attempt
            // takes a later one.
            let mut held = self.mastered(&id)?;
            held.params.revision = service.params.revision;
            self.store.put_service(&held)?;
            return Err(err.into());
        }
        Ok(())
    }

    /// Asks `sites` to leave a service; returns those that did not confirm. Each has a
    /// tombstone already, dropped here once it has left, kept for the convergence loop if not.
    pub(super) async fn leave_sites(
        &self,
        global_id: &str,
        sites: &[String],
    ) -> Result<Vec<String>, AgentError> {
        let results = join_all(sites.iter().map(|s| self.peers.leave(s, global_id))).await;
        let mut pending = Vec::new();
        for (site, result) in sites.iter().zip(results) {
            match result {
                Ok(()) => self.store.remove_tombstone(global_id, site)?,
                Err(err) => {
                    tracing::warn!(service = global_id, %site, error = %err, "it leaves later");
                    pending.push(site.clone());
                }
            }
        }
        Ok(pending)
    }
}

/// Takes `removed` out of a view. Their addresses go back to the end of the reserve, handed
/// out last: a site that could not be told to leave may still use them.
fn drop_sites(service: &mut Service, removed: &[String]) {
    let p = &mut service.params;
    for site in removed {
        if let Some(pools) = p.pools.remove(site).filter(|pools| !pools.is_empty()) {
            p.reserve.push(pools);
        }
        p.underlays.remove(site);
    }
    service.resources.retain(|r| !removed.contains(&r.site));
}
