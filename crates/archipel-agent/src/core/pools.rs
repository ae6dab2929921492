//! Address blocks granted on demand: a site that runs out asks the master for one of the
//! blocks it keeps in reserve.

use archipel_ipam::Pool;
use futures::future::join_all;

use super::Agent;
use crate::error::AgentError;
use crate::model::ServiceType;

impl Agent {
    /// East-West from `caller`: the master hands `site`, which must be the caller, a block
    /// from the reserve and tells the other sites.
    pub async fn grant_pools(
        &self,
        caller: &str,
        global_id: &str,
        site: &str,
    ) -> Result<Vec<Pool>, AgentError> {
        if caller != site {
            return Err(AgentError::GrantForOther {
                caller: caller.to_owned(),
                site: site.to_owned(),
            });
        }
        let _guard = self.changes.lock().await;
        self.grant_locked(global_id, site).await
    }

    async fn grant_locked(&self, global_id: &str, site: &str) -> Result<Vec<Pool>, AgentError> {
        let mut service = self.mastered(global_id)?;
        if service.kind != ServiceType::L2 || service.resource_of(site).is_none() {
            return Err(AgentError::NoPoolsAt {
                site: site.to_owned(),
                global_id: global_id.to_owned(),
            });
        }
        if service.params.reserve.is_empty() {
            return Err(AgentError::ReserveEmpty { global_id: global_id.to_owned() });
        }
        let block = service.params.reserve.remove(0);
        service.params.pools.entry(site.to_owned()).or_default().extend(block.iter().copied());
        service.params.revision += 1;
        self.store.put_service(&service)?;
        // The other sites only keep a copy of the grants: one that misses it now gets it with
        // the next update.
        let others: Vec<String> =
            self.remotes(&service).into_iter().filter(|s| s != site).collect();
        let view = service.view();
        join_all(others.iter().map(|s| self.peers.update(s, &view))).await;
        Ok(block)
    }

    /// North: this site ran out of addresses on a service's network; it gets another block
    /// from the master and adds it to its network's pools.
    pub async fn grow(&self, global_id: &str) -> Result<Vec<Pool>, AgentError> {
        let _guard = self.changes.lock().await;
        let service = self.get(global_id)?;
        let site = self.cfg.site.clone();
        let block = if service.master == site {
            self.grant_locked(global_id, &site).await?
        } else {
            self.peers.grant_pools(&service.master, global_id, &site).await?
        };
        let me = service.resource_of(&site).ok_or_else(|| AgentError::NotAResource {
            site: site.clone(),
            global_id: global_id.to_owned(),
        })?;
        let mut pools = self.local_network(&me.network).await?.pools;
        pools.extend(block.iter().copied());
        self.vim.update_network(&me.network, Some(pools), None).await?;
        let mut service = self.get(global_id)?;
        service.params.pools.entry(site).or_default().extend(block.iter().copied());
        service.params.pools.values_mut().for_each(|p| {
            p.sort();
            p.dedup();
        });
        self.store.put_service(&service)?;
        Ok(block)
    }

    /// Local: the site's popd ran out of addresses on `network`; the L2 extension that holds
    /// it grows as [`Agent::grow`] does. Returns the service's id and the block added.
    pub async fn grow_network(&self, network: &str) -> Result<(String, Vec<Pool>), AgentError> {
        let site = &self.cfg.site;
        let service = self
            .list()?
            .into_iter()
            .find(|s| {
                s.kind == ServiceType::L2
                    && s.resource_of(site).is_some_and(|r| r.network == network)
            })
            .ok_or_else(|| AgentError::NotExtended { network: network.to_owned() })?;
        let block = self.grow(&service.global_id).await?;
        Ok((service.global_id, block))
    }
}
