//! For tests, here and in the crates around the agent, and the benchmark's model of many sites
//! (feature `testing`, off in the archipel binary): a site's VIM without popd, and a world of
//! agents calling each other in-process over a simulated WAN (`world`).

pub mod world;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use archipel_ipam::{Pool, SubnetPlan};
use archipel_netlink::{Netlink, NetlinkError};
use async_trait::async_trait;
use ipnet::Ipv4Net;

use crate::vim::{NetworkSpec, SiteNetwork, SiteVim, VimError};

/// A site's VIM keeping its networks in memory, each a bridge `br-NAME` (up, holding the
/// gateway) made through `nl` in the site's namespace `ns`: the real kernel's or a fake's.
/// Clones share the networks.
#[derive(Debug, Clone)]
pub struct BridgeVim<N> {
    pub ns: String,
    pub nl: N,
    pub nets: Arc<Mutex<BTreeMap<String, SiteNetwork>>>,
    /// While set, network updates fail (a popd that went down after a create's plan read
    /// the network).
    pub failing_updates: Arc<AtomicBool>,
    /// While set, a network create is made but answered with an error (a popd that died
    /// before it answered).
    pub lost_creates: Arc<AtomicBool>,
}

impl<N: Netlink> BridgeVim<N> {
    pub fn new(ns: impl Into<String>, nl: N) -> Self {
        Self {
            ns: ns.into(),
            nl,
            nets: Arc::default(),
            failing_updates: Arc::default(),
            lost_creates: Arc::default(),
        }
    }

    /// Creates network `name` on `cidr` with the default gateway and pools; panics on failure.
    pub async fn add(&self, name: &str, cidr: &str) {
        let cidr: Ipv4Net = cidr.parse().expect("a CIDR");
        let plan = SubnetPlan::new(cidr, None, Vec::new()).expect("a subnet plan");
        let spec = NetworkSpec {
            name: name.into(),
            cidr,
            gateway: plan.gateway(),
            pools: plan.pools().to_vec(),
            mtu: None,
        };
        self.create_network(&spec).await.expect("create the network");
    }

    pub fn get(&self, name: &str) -> Option<SiteNetwork> {
        self.nets.lock().unwrap_or_else(PoisonError::into_inner).get(name).cloned()
    }

    fn answering(&self) -> Result<(), VimError> {
        if self.failing_updates.load(Ordering::Relaxed) {
            return Err(VimError::Other(format!("the VIM of {} is down", self.ns)));
        }
        Ok(())
    }
}

fn vim_err(e: NetlinkError) -> VimError {
    VimError::Other(e.to_string())
}

#[async_trait]
impl<N: Netlink> SiteVim for BridgeVim<N> {
    async fn networks(&self) -> Result<Vec<SiteNetwork>, VimError> {
        Ok(self.nets.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect())
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<SiteNetwork, VimError> {
        let bridge = format!("br-{}", spec.name);
        let mtu = spec.mtu.unwrap_or(1500);
        let ns = Some(self.ns.as_str());
        self.nl.ensure_bridge(ns, &bridge, Some(mtu)).await.map_err(vim_err)?;
        self.nl.set_up(ns, &bridge).await.map_err(vim_err)?;
        let gateway = Ipv4Net::new(spec.gateway, spec.cidr.prefix_len())
            .map_err(|e| VimError::Other(e.to_string()))?;
        self.nl.ensure_address(ns, &bridge, gateway).await.map_err(vim_err)?;
        let net = SiteNetwork {
            name: spec.name.clone(),
            cidr: spec.cidr,
            gateway: spec.gateway,
            pools: spec.pools.clone(),
            mtu,
            bridge,
            netns: Some(self.ns.clone()),
        };
        self.nets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(spec.name.clone(), net.clone());
        if self.lost_creates.load(Ordering::Relaxed) {
            return Err(VimError::Other(format!("the VIM of {} died answering", self.ns)));
        }
        Ok(net)
    }

    async fn update_network(
        &self,
        name: &str,
        pools: Option<Vec<Pool>>,
        mtu: Option<u32>,
    ) -> Result<SiteNetwork, VimError> {
        self.answering()?;
        let net = {
            let mut nets = self.nets.lock().unwrap_or_else(PoisonError::into_inner);
            let net = nets.get_mut(name).ok_or_else(|| VimError::Other(format!("no {name}")))?;
            if let Some(pools) = pools {
                net.pools = pools;
            }
            net.mtu = mtu.unwrap_or(net.mtu);
            net.clone()
        };
        self.nl.set_mtu(Some(&self.ns), &net.bridge, net.mtu).await.map_err(vim_err)?;
        Ok(net)
    }

    async fn delete_network(&self, name: &str) -> Result<(), VimError> {
        let removed = self.nets.lock().unwrap_or_else(PoisonError::into_inner).remove(name);
        if let Some(net) = removed {
            self.nl.delete_link(Some(&self.ns), &net.bridge).await.map_err(vim_err)?;
        }
        Ok(())
    }
}
