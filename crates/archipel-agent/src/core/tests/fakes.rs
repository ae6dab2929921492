//! Fakes for the core's tests: a VIM keeping networks in memory with their bridges in a
//! FakeNetlink, and peers that call the other sites' agents in-process.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

use archipel_ipam::{Pool, SubnetPlan};
use archipel_netlink::{FakeNetlink, Netlink};
use async_trait::async_trait;
use ipnet::Ipv4Net;

use crate::core::{Agent, AgentConfig};
use crate::error::AgentError;
use crate::model::{CidrInfo, FreeReply, Service};
use crate::peers::{Peers, PeersError};
use crate::store::Store;
use crate::vim::{NetworkSpec, SiteNetwork, SiteVim, VimError};

#[derive(Debug, Clone)]
pub struct FakeVim {
    pub ns: String,
    pub nl: FakeNetlink,
    pub nets: Arc<Mutex<BTreeMap<String, SiteNetwork>>>,
}

impl FakeVim {
    pub async fn add(&self, name: &str, cidr: &str) {
        let cidr: Ipv4Net = cidr.parse().unwrap();
        let plan = SubnetPlan::new(cidr, None, Vec::new()).unwrap();
        let spec = NetworkSpec {
            name: name.into(),
            cidr,
            gateway: plan.gateway(),
            pools: plan.pools().to_vec(),
            mtu: None,
        };
        self.create_network(&spec).await.unwrap();
    }

    pub fn get(&self, name: &str) -> Option<SiteNetwork> {
        self.nets.lock().unwrap().get(name).cloned()
    }
}

#[async_trait]
impl SiteVim for FakeVim {
    async fn networks(&self) -> Result<Vec<SiteNetwork>, VimError> {
        Ok(self.nets.lock().unwrap().values().cloned().collect())
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<SiteNetwork, VimError> {
        let bridge = format!("br-{}", spec.name);
        let mtu = spec.mtu.unwrap_or(1500);
        self.nl
            .ensure_bridge(Some(&self.ns), &bridge, Some(mtu))
            .await
            .map_err(|e| VimError::Other(e.to_string()))?;
        let net = SiteNetwork {
            name: spec.name.clone(),
            cidr: spec.cidr,
            gateway: spec.gateway,
            pools: spec.pools.clone(),
            mtu,
            bridge,
            netns: Some(self.ns.clone()),
        };
        self.nets.lock().unwrap().insert(spec.name.clone(), net.clone());
        Ok(net)
    }

    async fn update_network(
        &self,
        name: &str,
        pools: Option<Vec<Pool>>,
        mtu: Option<u32>,
    ) -> Result<SiteNetwork, VimError> {
        let mut nets = self.nets.lock().unwrap();
        let net = nets.get_mut(name).ok_or_else(|| VimError::Other(format!("no {name}")))?;
        if let Some(pools) = pools {
            net.pools = pools;
        }
        net.mtu = mtu.unwrap_or(net.mtu);
        Ok(net.clone())
    }

    async fn delete_network(&self, name: &str) -> Result<(), VimError> {
        let removed = self.nets.lock().unwrap().remove(name);
        if let Some(net) = removed {
            self.nl
                .delete_link(Some(&self.ns), &net.bridge)
                .await
                .map_err(|e| VimError::Other(e.to_string()))?;
        }
        Ok(())
    }
}

/// The agents of every site, reached by direct calls.
#[derive(Debug, Default)]
pub struct FakePeers {
    pub agents: Mutex<BTreeMap<String, Arc<Agent>>>,
    /// Sites that answer nothing.
    pub down: Mutex<BTreeSet<String>>,
    /// Sites whose join fails.
    pub failing_join: Mutex<BTreeSet<String>>,
}

impl FakePeers {
    async fn agent(&self, site: &str) -> Result<Arc<Agent>, PeersError> {
        // A call over the network suspends the caller: concurrent requests interleave as they
        // would between real agents.
        tokio::task::yield_now().await;
        if self.down.lock().unwrap().contains(site) {
            return Err(PeersError::Timeout { site: site.to_owned() });
        }
        self.agents
            .lock()
            .unwrap()
            .get(site)
            .cloned()
            .ok_or_else(|| PeersError::UnknownSite(site.to_owned()))
    }
}

fn refused(site: &str) -> impl FnOnce(AgentError) -> PeersError + '_ {
    move |e| {
        let status = if matches!(e, AgentError::ServiceNotFound { .. }) { 404 } else { 409 };
        PeersError::Refused { site: site.to_owned(), status, message: e.chain() }
    }
}

#[async_trait]
impl Peers for FakePeers {
    async fn cidr(&self, site: &str, network: &str) -> Result<CidrInfo, PeersError> {
        self.agent(site).await?.cidr_of(network).await.map_err(refused(site))
    }
    async fn cidr_free(&self, site: &str, cidr: Ipv4Net) -> Result<FreeReply, PeersError> {
        self.agent(site).await?.cidr_free(cidr).await.map_err(refused(site))
    }
    async fn reserve_vni(
        &self,
        site: &str,
        vni: u32,
        global_id: &str,
    ) -> Result<FreeReply, PeersError> {
        self.agent(site).await?.reserve_vni(vni, global_id).map_err(refused(site))
    }
    async fn release_vni(&self, site: &str, vni: u32, global_id: &str) -> Result<(), PeersError> {
        self.agent(site).await?.release_vni(vni, global_id).map_err(refused(site))
    }
    async fn join(&self, site: &str, service: &Service) -> Result<(), PeersError> {
        let agent = self.agent(site).await?;
        if self.failing_join.lock().unwrap().contains(site) {
            return Err(PeersError::Timeout { site: site.to_owned() });
        }
        agent.join(service.clone()).await.map_err(refused(site))
    }
    async fn update(&self, site: &str, service: &Service) -> Result<(), PeersError> {
        self.agent(site).await?.sync(service.clone()).await.map_err(refused(site))
    }
    async fn leave(&self, site: &str, global_id: &str) -> Result<(), PeersError> {
        self.agent(site).await?.leave(global_id).await.map_err(refused(site))
    }
    async fn grant_pools(
        &self,
        site: &str,
        global_id: &str,
        requester: &str,
    ) -> Result<Vec<Pool>, PeersError> {
        self.agent(site).await?.grant_pools(global_id, requester).await.map_err(refused(site))
    }
}

/// One site of a test world.
#[derive(Debug, Clone)]
pub struct Site {
    pub agent: Arc<Agent>,
    pub vim: FakeVim,
    pub nl: FakeNetlink,
    pub underlay: Ipv4Addr,
}

/// Sites named `names`, each with its namespace, an underlay link `eth0` (MTU 1500) holding
/// 192.0.2.N, and an agent.
pub async fn world(names: &[&str]) -> (BTreeMap<String, Site>, Arc<FakePeers>) {
    let peers = Arc::new(FakePeers::default());
    let mut sites = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        let nl = FakeNetlink::new();
        let ns = format!("site-{name}");
        nl.ensure_netns(&ns).await.unwrap();
        nl.ensure_bridge(Some(&ns), "eth0", Some(1500)).await.unwrap();
        let underlay = Ipv4Addr::new(192, 0, 2, u8::try_from(i + 1).unwrap());
        nl.ensure_address(Some(&ns), "eth0", Ipv4Net::new(underlay, 24).unwrap()).await.unwrap();
        let vim = FakeVim { ns: ns.clone(), nl: nl.clone(), nets: Arc::default() };
        let mut cfg = AgentConfig::new(*name, underlay);
        cfg.netns = Some(ns);
        let agent = Arc::new(Agent::new(
            cfg,
            Store::in_memory().unwrap(),
            Arc::new(vim.clone()),
            Arc::new(nl.clone()),
            peers.clone(),
        ));
        peers.agents.lock().unwrap().insert((*name).to_owned(), agent.clone());
        sites.insert((*name).to_owned(), Site { agent, vim, nl, underlay });
    }
    (sites, peers)
}
