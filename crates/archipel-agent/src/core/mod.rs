//! The Logic Core: the master's side of a service (create, update, delete, pool grants) and a
//! participant's side (join, sync, leave, VNI reservations, the queries), with no HTTP inside.

mod checks;
mod choose;
mod converge;
mod create;
mod encryption;
mod local;
mod pools;
mod reserve;
#[cfg(test)]
mod tests;
mod traffic;
mod update;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Arc;

use archipel_netlink::iptables::Firewall;
use archipel_netlink::Netlink;
use ipnet::Ipv4Net;

use crate::dataplane::{tunnel_mtu, underlay_mtu};
use crate::error::AgentError;
use crate::model::{DeleteReply, Service, SiteInfo};
use crate::peers::Peers;
use crate::store::Store;
use crate::vim::SiteVim;
use crate::wireguard::{Encryption, DEFAULT_PORT};

pub use converge::DEFAULT_CONVERGE_INTERVAL;
pub use create::NAME_MAX;
pub use traffic::Traffic;

/// Who this agent is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentConfig {
    /// The site's name, as the other agents know it.
    pub site: String,
    /// The site's underlay (VTEP) address.
    pub underlay: Ipv4Addr,
    /// The namespace holding the underlay address (`None`: the host's own); tunnels go in the
    /// namespace of the bridge they serve, which must reach the underlay address.
    pub netns: Option<String>,
    /// The first VNI tried for a new service.
    pub vni_base: u32,
    /// Where L3 transit segments take their /24 from.
    pub transit: Ipv4Net,
    /// How many blocks the master keeps in reserve per participant of an L2 extension.
    pub reserve_per_site: usize,
    /// The other sites this agent works with, by name, with their underlay (VTEP) addresses:
    /// the only sites whose calls it accepts and the only addresses it tunnels to.
    pub peers: BTreeMap<String, Ipv4Addr>,
    /// What the services this site masters ask for, and what it accepts from other masters.
    pub encryption: Encryption,
    /// The UDP port of this site's WireGuard device.
    pub wg_port: u16,
    /// Where the WireGuard key, the device's pid and its log live (the data directory).
    pub key_dir: PathBuf,
    /// The `archipel` binary, which runs the WireGuard device.
    pub exe: PathBuf,
}

impl AgentConfig {
    pub fn new(site: impl Into<String>, underlay: Ipv4Addr) -> Self {
        Self {
            site: site.into(),
            underlay,
            netns: None,
            vni_base: 1000,
            transit: Ipv4Net::new(Ipv4Addr::new(100, 64, 0, 0), 16).unwrap_or_default(),
            reserve_per_site: 2,
            peers: BTreeMap::new(),
            encryption: Encryption::None,
            wg_port: DEFAULT_PORT,
            key_dir: PathBuf::from("."),
            exe: PathBuf::from("archipel"),
        }
    }
}

/// The inter-site agent of one site.
pub struct Agent {
    cfg: AgentConfig,
    store: Store,
    vim: Arc<dyn SiteVim>,
    nl: Arc<dyn Netlink>,
    /// The rules guarding each service's tunnel and forwarding.
    fw: Arc<dyn Firewall>,
    peers: Arc<dyn Peers>,
    /// Serialises the changes this agent makes, as master or participant.
    changes: tokio::sync::Mutex<()>,
    /// This site's WireGuard key and its peers' (never held across a call to a peer).
    wg: tokio::sync::Mutex<encryption::WgState>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl Agent {
    pub fn new(
        cfg: AgentConfig,
        store: Store,
        vim: Arc<dyn SiteVim>,
        nl: Arc<dyn Netlink>,
        fw: Arc<dyn Firewall>,
        peers: Arc<dyn Peers>,
    ) -> Self {
        let changes = tokio::sync::Mutex::new(());
        Self { cfg, store, vim, nl, fw, peers, changes, wg: tokio::sync::Mutex::default() }
    }

    pub fn site(&self) -> &str {
        &self.cfg.site
    }

    /// The sites whose East-West calls this agent accepts.
    pub fn peers(&self) -> impl Iterator<Item = &String> {
        self.cfg.peers.keys()
    }

    /// Every service this site takes part in.
    ///
    /// A create still in progress is listed too: a caller whose create timed out finds it by
    /// its name and deletes it, which waits for the create to end.
    pub fn list(&self) -> Result<Vec<Service>, AgentError> {
        let mut services = self.store.services()?;
        for pending in self.store.pending()? {
            if !services.iter().any(|s| s.global_id == pending.global_id) {
                services.push(pending);
            }
        }
        Ok(services)
    }

    pub fn get(&self, global_id: &str) -> Result<Service, AgentError> {
        self.store
            .service(global_id)?
            .ok_or_else(|| AgentError::ServiceNotFound { global_id: global_id.to_owned() })
    }

    /// A service this site is the master of.
    fn mastered(&self, global_id: &str) -> Result<Service, AgentError> {
        let service = self.get(global_id)?;
        if service.master != self.cfg.site {
            return Err(AgentError::NotMaster {
                global_id: global_id.to_owned(),
                master: service.master,
            });
        }
        Ok(service)
    }

    /// The other sites of a service.
    fn remotes(&self, service: &Service) -> Vec<String> {
        service.sites().into_iter().filter(|s| *s != self.cfg.site).collect()
    }

    /// North: this site's name, underlay address and tunnel MTU.
    pub async fn site_info(&self) -> Result<SiteInfo, AgentError> {
        let tunnel_mtu = self.tunnel_mtu().await?;
        Ok(SiteInfo { site: self.cfg.site.clone(), underlay: self.cfg.underlay, tunnel_mtu })
    }

    /// The tunnel MTU: the underlay's minus the encapsulations (VXLAN, and WireGuard when on).
    async fn tunnel_mtu(&self) -> Result<u32, AgentError> {
        let ns = self.cfg.netns.as_deref();
        let underlay = underlay_mtu(self.nl.as_ref(), ns, self.cfg.underlay).await?;
        Ok(tunnel_mtu(underlay, self.tunnel_layers()))
    }

    /// North DELETE: every site removes what it made, then the master. A site that did not
    /// confirm (unreachable, or failing) is named in the reply and left to the convergence loop
    /// through a tombstone: the loop has it leave once it answers. The master forgets the
    /// service at once, so that the loop never hands it back to the sites that left.
    ///
    /// A create that died (its undo failed too) is undone instead: its caller, told it
    /// failed, deletes what it finds by its name.
    pub async fn delete(&self, global_id: &str) -> Result<DeleteReply, AgentError> {
        let _guard = self.changes.lock().await;
        if let Some(dead) = self.store.pending()?.into_iter().find(|s| s.global_id == global_id) {
            return Ok(DeleteReply { pending: self.abandon(&dead).await? });
        }
        let service = self.mastered(global_id)?;
        let sites = self.remotes(&service);
        self.store.add_tombstones(global_id, &sites)?;
        let pending = self.leave_sites(global_id, &sites).await?;
        self.remove_local(&service).await?;
        Ok(DeleteReply { pending })
    }
}
