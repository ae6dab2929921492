//! The lab: site namespaces with an underlay, a VIM making real bridges (the agent's
//! `testing::BridgeVim` on the kernel), and the agents.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::process::Command;
use std::sync::Arc;

use archipel_agent::api::{self, AgentHandle, Secrets};
use archipel_agent::testing::BridgeVim;
use archipel_agent::{Agent, AgentConfig, HttpPeers, PeerLink, Store, DEFAULT_TIMEOUT};
use archipel_netlink::iptables::Iptables;
use archipel_netlink::{Netlink, RtNetlink};
use ipnet::Ipv4Net;

/// The key of the pair a, b (and of a, c: c never answers).
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
        let link = |url: &String| PeerLink { url: url.clone(), key: Some(KEY.into()) };
        let c_underlay = Ipv4Addr::new(192, 0, 2, 3);

        let (mut agents, mut dirs) = (Vec::new(), Vec::new());
        for (i, listener) in listeners.into_iter().enumerate() {
            let vim = Arc::new(BridgeVim::new(names.0[i].clone(), nl));
            for (_, name, cidr) in networks.iter().filter(|(site, _, _)| *site == i) {
                vim.add(name, cidr).await;
            }
            let dir = tempfile::tempdir().unwrap();
            let others = peer_urls.iter().filter(|(site, _)| *site != SITES[i]);
            let links = others.clone().map(|(s, url)| (s.clone(), link(url))).collect();
            let peers = HttpPeers::new(SITES[i], links, DEFAULT_TIMEOUT);
            let mut cfg = AgentConfig::new(SITES[i], underlays[i]);
            cfg.netns = Some(names.0[i].clone());
            cfg.peers = others
                .map(|(s, _)| {
                    let at = SITES.iter().position(|x| x == s);
                    (s.clone(), at.map_or(c_underlay, |j| underlays[j]))
                })
                .collect();
            let peer_keys = cfg.peers.keys().map(|s| (s.clone(), KEY.to_owned())).collect();
            let agent = Agent::new(
                cfg,
                Store::open(dir.path()).unwrap(),
                vim,
                Arc::new(nl),
                Arc::new(Iptables),
                Arc::new(peers),
            );
            let secrets = Secrets { north_token: TOKEN.into(), peer_keys };
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

/// The MACs that answer `busybox arping -c 3 -I eth0 ADDR` run in `from`, lowercase.
pub fn arp_replies(from: &str, addr: &str) -> std::collections::BTreeSet<String> {
    let args =
        ["netns", "exec", from, "busybox", "arping", "-c", "3", "-w", "4", "-I", "eth0", addr];
    let out = Command::new("ip").args(args).output().expect("run busybox arping");
    let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
    text.lines()
        .filter(|l| l.contains("reply from"))
        .filter_map(|l| Some(l.split('[').nth(1)?.split(']').next()?.to_owned()))
        .collect()
}
