//! Assembling a real agent: its store on disk, its popd, the kernel, the other agents over HTTP.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use archipel_daemon::tls::ClientConfig;
use archipel_netlink::iptables::Iptables;
use archipel_netlink::RtNetlink;
use archipel_pop_client::{Client, Credentials};

use crate::core::{Agent, AgentConfig};
use crate::peers::{HttpPeers, PeerLink};
use crate::store::{Store, StoreError};
use crate::vim::PopVim;

/// What a real agent is made of.
#[derive(Debug)]
pub struct Setup {
    pub config: AgentConfig,
    /// Where `agent.sqlite` lives.
    pub data_dir: PathBuf,
    /// The site's own popd.
    pub pop: Credentials,
    /// The other sites' agents and the key shared with each, by site name; their underlay
    /// addresses are in `config.peers`.
    pub peers: BTreeMap<String, PeerLink>,
    /// The deadline of each call to another agent.
    pub timeout: Duration,
    /// How often the convergence loop runs ([`Agent::converge`]).
    pub converge_interval: Duration,
    /// How `https://` peers are reached: their CA and this site's certificate as the client's.
    pub peer_tls: Option<ClientConfig>,
}

impl Setup {
    /// Builds the agent and spawns its convergence loop on the current Tokio runtime.
    pub fn start(self) -> Result<Arc<Agent>, StoreError> {
        let every = self.converge_interval;
        let agent = Arc::new(self.build()?);
        let adopting = agent.clone();
        tokio::spawn(async move {
            if let Err(err) = adopting.readopt().await {
                tracing::warn!(error = %err.chain(), "cannot restore the services' firewall");
            }
            adopting.abandon_dead_creates().await;
        });
        tokio::spawn(agent.clone().converge_every(every));
        Ok(agent)
    }

    pub fn build(self) -> Result<Agent, StoreError> {
        let store = Store::open(&self.data_dir)?;
        let vim = PopVim::new(Client::new(self.pop));
        let site = self.config.site.clone();
        let peers = HttpPeers::with_tls(site, self.peers, self.timeout, self.peer_tls);
        Ok(Agent::new(
            self.config,
            store,
            Arc::new(vim),
            Arc::new(RtNetlink::new()),
            Arc::new(Iptables),
            Arc::new(peers),
        ))
    }
}

/// A fresh North bearer token: 32 hex digits from rand's CSPRNG (seeded by the OS).
pub fn generate_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}
