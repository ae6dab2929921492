//! The lab: site namespaces with an underlay, a VIM making real bridges, and the agents.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::process::Command;
use std::sync::{Arc, Mutex};

use archipel_agent::api::{self, AgentHandle, Secrets};
use archipel_agent::{
    Agent, AgentConfig, HttpPeers, NetworkSpec, SiteNetwork, SiteVim, Store, VimError,
    DEFAULT_TIMEOUT,
};
use archipel_ipam::{Pool, SubnetPlan};
use archipel_netlink::{Netlink, RtNetlink};
use async_trait::async_trait;
use ipnet::Ipv4Net;

pub const KEY: &str = "east-west-test-key";
pub const TOKEN: &str = "north-test-token";
const SITES: [&str; 2] = ["a", "b"];

/// Namespaces unique to this test, deleted on drop even when the test panics.
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
    }
}

/// A site's VIM: networks in memory, each a real bridge `br-NAME` in the site's namespace.
#[derive(Debug)]
struct BridgeVim {
    ns: String,
    nl: RtNetlink,
    nets: Mutex<BTreeMap<String, SiteNetwork>>,
}

fn vim_err(e: archipel_netlink::NetlinkError) -> VimError {
    VimError::Other(e.to_string())
}

#[async_trait]
impl SiteVim for BridgeVim {
    async fn networks(&self) -> Result<Vec<SiteNetwork>, VimError> {
        Ok(self.nets.lock().unwrap().values().cloned().collect())
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
        self.nets.lock().unwrap().insert(spec.name.clone(), net.clone());
        Ok(net)
    }

    async fn update_network(
        &self,
        name: &str,
        pools: Option<Vec<Pool>>,
        mtu: Option<u32>,
    ) -> Result<SiteNetwork, VimError> {
        let net = {
            let mut nets = self.nets.lock().unwrap();
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
        let removed = self.nets.lock().unwrap().remove(name);
        if let Some(net) = removed {
            self.nl.delete_link(Some(&self.ns), &net.bridge).await.map_err(vim_err)?;
        }
        Ok(())
    }
}

/// Two sites (namespaces 0 and 1, underlay veth `u0` with 192.0.2.1 and 192.0.2.2) holding
/// the networks asked for, an agent per site on loopback (peers: each other and
/// a site c that nobody serves), and room for one container per site (namespaces 2 and 3).
pub struct Lab {
    pub nl: RtNetlink,
    pub urls: Vec<String>,
    agents: Vec<AgentHandle>,
    _dirs: Vec<tempfile::TempDir>,
    names: Namespaces,
}

impl Lab {
    /// The networks are (site index, name, CIDR).
    pub async fn start(networks: &[(usize, &str, &str)]) -> Self {
        archipel_testkit::require_root();
        let nl = RtNetlink::new();
        let tag = archipel_testkit::unique("ag");
        let names =
            Namespaces(["s0", "s1", "c0", "c1"].iter().map(|t| format!("{tag}-{t}")).collect());
        for name in &names.0 {
            nl.ensure_netns(name).await.unwrap();
        }
        let (s0, s1) = (Some(names.0[0].as_str()), Some(names.0[1].as_str()));
        nl.ensure_veth(s0, "u0", "u0", s1).await.unwrap();
        let underlays = [Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2)];
        for (i, ns) in [s0, s1].into_iter().enumerate() {
            nl.ensure_address(ns, "u0", Ipv4Net::new(underlays[i], 24).unwrap()).await.unwrap();
            nl.set_up(ns, "u0").await.unwrap();
        }

        let mut listeners = Vec::new();
        let mut urls = Vec::new();
        for _ in SITES {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            urls.push(format!("http://{}", listener.local_addr().unwrap()));
            listeners.push(listener);
        }
        let mut peer_urls: BTreeMap<String, String> =
            SITES.iter().map(|s| s.to_string()).zip(urls.clone()).collect();
        // Nothing listens on port 1: site c is down.
        peer_urls.insert("c".into(), "http://127.0.0.1:1".into());

        let (mut agents, mut dirs) = (Vec::new(), Vec::new());
        for (i, listener) in listeners.into_iter().enumerate() {
            let vim = Arc::new(BridgeVim { ns: names.0[i].clone(), nl, nets: Mutex::default() });
            for (_, name, cidr) in networks.iter().filter(|(site, _, _)| *site == i) {
                let cidr: Ipv4Net = cidr.parse().unwrap();
                let plan = SubnetPlan::new(cidr, None, Vec::new()).unwrap();
                let spec = NetworkSpec {
                    name: (*name).into(),
                    cidr,
                    gateway: plan.gateway(),
                    pools: plan.pools().to_vec(),
                    mtu: None,
                };
                vim.create_network(&spec).await.unwrap();
            }
            let dir = tempfile::tempdir().unwrap();
            let peers = HttpPeers::new(peer_urls.clone(), KEY, DEFAULT_TIMEOUT);
            let mut cfg = AgentConfig::new(SITES[i], underlays[i]);
            cfg.netns = Some(names.0[i].clone());
            let agent = Agent::new(
                cfg,
                Store::open(dir.path()).unwrap(),
                vim,
                Arc::new(nl),
                Arc::new(peers),
            );
            let secrets = Secrets { north_token: TOKEN.into(), east_west_key: KEY.into() };
            agents.push(api::start(listener, Arc::new(agent), secrets).unwrap());
            dirs.push(dir);
        }
        Self { nl, urls, agents, _dirs: dirs, names }
    }

    pub fn site_ns(&self, i: usize) -> Option<&str> {
        Some(self.names.0[i].as_str())
    }

    pub fn container_ns(&self, i: usize) -> &str {
        &self.names.0[i + 2]
    }

    /// A "container" of site `i` holding `addr` on `eth0` and a default route via the gateway
    /// `gateway`, its peer `c0` a port of `bridge` with the bridge's MTU, as popd attaches it.
    pub async fn container(&self, i: usize, bridge: &str, addr: Ipv4Net, gateway: Ipv4Addr) {
        let (site, container) = (self.site_ns(i), Some(self.container_ns(i)));
        let mtu = self.nl.link(site, bridge).await.unwrap().unwrap().mtu;
        self.nl.ensure_veth(site, "c0", "eth0", container).await.unwrap();
        self.nl.set_mtu(site, "c0", mtu).await.unwrap();
        self.nl.set_master(site, "c0", Some(bridge)).await.unwrap();
        self.nl.set_up(site, "c0").await.unwrap();
        self.nl.set_mtu(container, "eth0", mtu).await.unwrap();
        self.nl.ensure_address(container, "eth0", addr).await.unwrap();
        self.nl.set_up(container, "eth0").await.unwrap();
        self.nl.ensure_default_route(container, gateway).await.unwrap();
    }

    /// Stops the agents and waits for them.
    pub async fn stop(mut self) {
        for agent in self.agents.drain(..) {
            assert!(agent.shutdown(std::time::Duration::from_secs(10)).await.unwrap());
        }
    }
}

/// `ip netns exec NS busybox ping -c1 -W1 ADDR`, a few attempts so that a loaded machine (or
/// the first ARP exchange) does not fail it.
pub fn pings(from: &str, addr: &str) -> bool {
    let args = ["netns", "exec", from, "busybox", "ping", "-c1", "-W1", addr];
    (0..5).any(|_| Command::new("ip").args(args).output().is_ok_and(|o| o.status.success()))
}
