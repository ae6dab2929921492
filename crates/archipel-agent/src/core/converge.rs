//! The convergence loop. As a master: after a partition, every site's view of a service
//! becomes the master's again, the sites a delete or an update could not reach leave, and a
//! create whose undo failed is undone. Each participant is told the revisions it should hold,
//! in one call per site (at most [`REVISIONS_PER_CALL`] a call), and is sent whole only the
//! services it lacks or holds older: a pass over services nobody changed costs one small call
//! per site, not one view per service and site. As a participant: its own share of every
//! service is set again in the kernel (floods, firewall, WireGuard peers), which a push of an
//! unchanged view used to do.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;

use super::Agent;
use crate::error::AgentError;
use crate::model::{Revisions, Service};
use crate::peers::PeersError;

/// The most revisions one call carries: about 40 KiB of JSON, under the East-West body limit.
pub const REVISIONS_PER_CALL: usize = 512;

/// How often the daemon runs a pass by default.
pub const DEFAULT_CONVERGE_INTERVAL: Duration = Duration::from_secs(5);

impl Agent {
    /// Runs [`Agent::converge`] every `every`, forever.
    pub async fn converge_every(self: Arc<Self>, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(err) = self.converge().await {
                tracing::warn!(error = %err.chain(), "a convergence pass failed");
            }
            if let Err(err) = self.repair().await {
                tracing::warn!(error = %err.chain(), "setting this site's share again failed");
            }
        }
    }

    /// One pass: the creates that died are undone first (under the change lock, so it waits
    /// for a create in progress; there rarely is one to undo), the sites a delete or an update
    /// could not reach are asked to leave again, and every participant of a service this site masters gets the master's view (joining the
    /// service if it lost it). Idempotent; the peer calls run outside the change lock (each
    /// bounded by the peer timeout), so North requests are not held up by a site that is cut
    /// off. A view pushed here that a change overtakes is older than the participant's by its
    /// revision, and ignored there.
    pub async fn converge(&self) -> Result<(), AgentError> {
        if !self.store.pending()?.is_empty() {
            self.abandon_dead_creates().await;
        }
        let tombstones = self.store.tombstones()?;
        // A create in progress is its own business: pushing it would have a site join while
        // the create may still be undone.
        let pending: Vec<String> = self.store.pending()?.into_iter().map(|s| s.global_id).collect();
        let services: Vec<Service> = self
            .store
            .services()?
            .into_iter()
            .filter(|s| s.master == self.cfg.site && !pending.contains(&s.global_id))
            .collect();
        let mut by_site: BTreeMap<String, Vec<&Service>> = BTreeMap::new();
        for s in &services {
            for site in self.remotes(s) {
                by_site.entry(site).or_default().push(s);
            }
        }
        let left = join_all(tombstones.iter().map(|(id, site)| self.retry_leave(id, site)));
        let pushed = join_all(by_site.iter().map(|(site, held)| self.converge_site(site, held)));
        let (left, pushed) = futures::join!(left, pushed);
        left.into_iter().chain(pushed).collect()
    }

    /// Brings `site` in step with `services`: their revisions first, then whole only those it
    /// lacks (joined again) or holds older (pushed). A site that does not know the revisions
    /// call (an older agent) gets every view, as before.
    async fn converge_site(&self, site: &str, services: &[&Service]) -> Result<(), AgentError> {
        for chunk in services.chunks(REVISIONS_PER_CALL) {
            let revisions = Revisions {
                services: chunk.iter().map(|s| (s.global_id.clone(), s.params.revision)).collect(),
            };
            let reply = match self.peers.revisions(site, &revisions).await {
                Ok(reply) => reply,
                Err(PeersError::Refused { status: 404 | 405, .. }) => {
                    for service in chunk {
                        self.push(service, site).await?;
                    }
                    continue;
                }
                Err(err) => {
                    tracing::debug!(site, error = %err, "cannot compare revisions");
                    return Ok(());
                }
            };
            for service in chunk.iter().filter(|s| reply.stale.contains(&s.global_id)) {
                self.push(service, site).await?;
            }
            for service in chunk.iter().filter(|s| reply.missing.contains(&s.global_id)) {
                self.rejoin(&service.global_id, site).await?;
            }
        }
        Ok(())
    }

    /// As a participant: sets this site's share of every service it takes part in again in
    /// the kernel (floods toward exactly the view's sites, the firewall, WireGuard's peers),
    /// as the kernel may have lost some of it.
    pub async fn repair(&self) -> Result<(), AgentError> {
        let _guard = self.changes.lock().await;
        for service in self.store.services()? {
            if service.master != self.cfg.site {
                self.follow_underlays(&service).await?;
            }
        }
        Ok(())
    }

    async fn retry_leave(&self, global_id: &str, site: &str) -> Result<(), AgentError> {
        match self.peers.leave(site, global_id).await {
            Ok(()) => {
                tracing::info!(service = global_id, site, "the site has left");
                Ok(self.store.remove_tombstone(global_id, site)?)
            }
            Err(err) => {
                tracing::debug!(service = global_id, site, error = %err, "still cannot leave");
                Ok(())
            }
        }
    }

    async fn push(&self, service: &Service, site: &str) -> Result<(), AgentError> {
        let id = service.global_id.as_str();
        match self.peers.update(site, &service.view()).await {
            Ok(()) => tracing::debug!(service = id, site, "in step"),
            Err(err) if err.is_not_found() => return self.rejoin(id, site).await,
            Err(err) => tracing::debug!(service = id, site, error = %err, "cannot sync"),
        }
        Ok(())
    }

    /// A participant that does not know a service joins it again, from the master's current
    /// record: under the change lock, so that a delete, a failed create or the site's removal
    /// in the meantime is not undone.
    async fn rejoin(&self, global_id: &str, site: &str) -> Result<(), AgentError> {
        let _guard = self.changes.lock().await;
        let Some(service) = self.store.service(global_id)? else { return Ok(()) };
        if service.resource_of(site).is_none() {
            return Ok(());
        }
        match self.peers.join(site, &service.view()).await {
            Ok(()) => tracing::info!(service = global_id, site, "the site joined again"),
            Err(err) => {
                tracing::debug!(service = global_id, site, error = %err, "cannot join again")
            }
        }
        Ok(())
    }
}
