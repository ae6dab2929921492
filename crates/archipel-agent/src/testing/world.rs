//! A world of sites in one process, for the core's tests and the benchmark's model of many
//! sites: each site's VIM ([`BridgeVim`]) makes its bridges in a FakeNetlink, and its agent
//! calls the others' in-process, each call delayed as a WAN would ([`Wan`]).
// Scaffolding: a poisoned lock or a world that cannot be built is a broken test.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use archipel_ipam::Pool;
use archipel_netlink::iptables::FakeFirewall;
use archipel_netlink::{FakeNetlink, Netlink};
use async_trait::async_trait;
use ipnet::Ipv4Net;

use super::BridgeVim;
use crate::core::{Agent, AgentConfig};
use crate::error::AgentError;
use crate::model::{CidrInfo, FreeReply, KeyOffer, Revisions, RevisionsReply, Service};
use crate::peers::{Peers, PeersError};
use crate::store::Store;

/// What a call between two sites waits: a round trip, and with probability `loss` a lost
/// segment, which TCP resends after `retransmit` (Linux's least RTO is 200 ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wan {
    pub rtt: Duration,
    pub loss: f64,
    pub retransmit: Duration,
}

impl Default for Wan {
    /// No delay: the core's tests.
    fn default() -> Self {
        Self { rtt: Duration::ZERO, loss: 0.0, retransmit: Duration::from_millis(200) }
    }
}

/// The agents of every site, reached by direct calls.
#[derive(Debug, Default)]
pub struct FakePeers {
    /// Hashed: a world of hundreds of sites looks one up on every call.
    pub agents: Mutex<HashMap<String, Arc<Agent>>>,
    /// Sites that answer nothing.
    pub down: Mutex<BTreeSet<String>>,
    /// Sites whose join fails.
    pub failing_join: Mutex<BTreeSet<String>>,
    /// Sites whose leave is not answered.
    pub failing_leave: Mutex<BTreeSet<String>>,
    /// The WAN toward every site, unless `wan_to` names it.
    pub wan: Mutex<Wan>,
    pub wan_to: Mutex<BTreeMap<String, Wan>>,
    /// xorshift64 state, for losses that repeat from run to run.
    rng: Mutex<u64>,
    /// How many calls of each kind were made (`join`, `update`, `revisions`, …).
    pub calls: Mutex<BTreeMap<&'static str, usize>>,
    /// The CPU time each site spent answering calls: what it would spend on a machine of its
    /// own (the model's master is the rest of the process's).
    pub served: Mutex<HashMap<String, Duration>>,
    /// How many calls were answered: each costs the caller one more read of the CPU clock (a
    /// system call), the part of the two reads outside what the callee is counted.
    pub answered: AtomicUsize,
}

impl FakePeers {
    /// How long a call to `site` takes on the wire.
    fn wire(&self, site: &str) -> Duration {
        let wan = self.wan_to.lock().unwrap().get(site).copied();
        let wan = wan.unwrap_or(*self.wan.lock().unwrap());
        if wan.loss <= 0.0 {
            return wan.rtt;
        }
        let mut x = self.rng.lock().unwrap();
        if *x == 0 {
            *x = 0x9e37_79b9_7f4a_7c15;
        }
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        // The top 32 bits as a fraction of one.
        let draw = f64::from(u32::try_from(*x >> 32).unwrap_or(0)) / f64::from(u32::MAX);
        if draw < wan.loss {
            wan.rtt + wan.retransmit
        } else {
            wan.rtt
        }
    }

    /// Runs the call `make` gives as `site` answers it, its CPU time added to the site's. The
    /// call runs without yielding to the scheduler (tokio's budget may not preempt it), so that
    /// the thread's CPU clock measures it alone; it is made and boxed there too, so that the
    /// caller's pending request holds no callee's state (a real one holds a request on the
    /// wire, not the callee's handler).
    async fn serve<T, F: std::future::Future<Output = T>>(
        &self,
        site: &str,
        make: impl FnOnce() -> F,
    ) -> T {
        let before = thread_cpu();
        let out = tokio::task::unconstrained(Box::pin(make())).await;
        let spent = thread_cpu().saturating_sub(before);
        self.answered.fetch_add(1, Ordering::Relaxed);
        let mut served = self.served.lock().unwrap();
        match served.get_mut(site) {
            Some(total) => *total += spent,
            None => drop(served.insert(site.to_owned(), spent)),
        }
        out
    }

    /// Counts a call of `kind`.
    fn count(&self, kind: &'static str) {
        *self.calls.lock().unwrap().entry(kind).or_default() += 1;
    }

    async fn agent(&self, site: &str) -> Result<Arc<Agent>, PeersError> {
        // A call over the network suspends the caller: concurrent requests interleave as they
        // would between real agents.
        let wire = self.wire(site);
        if wire.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(wire).await;
        }
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

/// What one site's agent reaches the others through: the calls name it as their caller, as
/// the East-West transport does.
#[derive(Debug)]
pub struct CallsFrom {
    pub caller: String,
    pub world: Arc<FakePeers>,
}

impl CallsFrom {
    async fn agent(&self, site: &str) -> Result<Arc<Agent>, PeersError> {
        self.world.agent(site).await
    }
}

/// The CPU time of the calling thread.
pub fn thread_cpu() -> Duration {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(Duration::from)
        .unwrap_or_default()
}

fn refused(site: &str) -> impl FnOnce(AgentError) -> PeersError + '_ {
    move |e| {
        let status = if matches!(e, AgentError::ServiceNotFound { .. }) { 404 } else { 409 };
        PeersError::Refused { site: site.to_owned(), status, message: e.chain() }
    }
}

#[async_trait]
impl Peers for CallsFrom {
    async fn cidr(&self, site: &str, network: &str) -> Result<CidrInfo, PeersError> {
        let agent = self.agent(site).await?;
        self.world.serve(site, || agent.cidr_of(network)).await.map_err(refused(site))
    }
    async fn cidr_free(&self, site: &str, cidr: Ipv4Net) -> Result<FreeReply, PeersError> {
        let agent = self.agent(site).await?;
        self.world.serve(site, || agent.cidr_free(cidr)).await.map_err(refused(site))
    }
    async fn reserve_vni(
        &self,
        site: &str,
        vni: u32,
        global_id: &str,
    ) -> Result<FreeReply, PeersError> {
        let (me, agent) = (&self.caller, self.agent(site).await?);
        let call = || async { agent.reserve_vni(me, vni, global_id) };
        self.world.serve(site, call).await.map_err(refused(site))
    }
    async fn release_vni(&self, site: &str, vni: u32, global_id: &str) -> Result<(), PeersError> {
        let (me, agent) = (&self.caller, self.agent(site).await?);
        let call = || async { agent.release_vni(me, vni, global_id) };
        self.world.serve(site, call).await.map_err(refused(site))
    }
    async fn exchange_keys(&self, site: &str, offer: &KeyOffer) -> Result<KeyOffer, PeersError> {
        let agent = self.agent(site).await?;
        let call = || agent.accept_key(&self.caller, offer.clone());
        self.world.serve(site, call).await.map_err(refused(site))
    }
    /// The copy of the view is the callee's (it decodes its own from the wire).
    async fn join(&self, site: &str, service: &Service) -> Result<(), PeersError> {
        self.world.count("join");
        let agent = self.agent(site).await?;
        if self.world.failing_join.lock().unwrap().contains(site) {
            return Err(PeersError::Timeout { site: site.to_owned() });
        }
        let call = || async { agent.join(&self.caller, service.clone()).await };
        self.world.serve(site, call).await.map_err(refused(site))
    }
    /// One copy made by the caller (the transport's single encoding), then each site's own.
    async fn join_all(&self, sites: &[String], service: &Service) -> Vec<Result<(), PeersError>> {
        let encoded = service.clone();
        futures::future::join_all(sites.iter().map(|s| self.join(s, &encoded))).await
    }
    async fn update(&self, site: &str, service: &Service) -> Result<(), PeersError> {
        self.world.count("update");
        let agent = self.agent(site).await?;
        let call = || agent.sync(&self.caller, service.clone());
        self.world.serve(site, call).await.map_err(refused(site))
    }
    async fn revisions(
        &self,
        site: &str,
        revisions: &Revisions,
    ) -> Result<RevisionsReply, PeersError> {
        self.world.count("revisions");
        let agent = self.agent(site).await?;
        let call = || async { agent.revisions(&self.caller, revisions) };
        self.world.serve(site, call).await.map_err(refused(site))
    }
    async fn leave(&self, site: &str, global_id: &str) -> Result<(), PeersError> {
        let agent = self.agent(site).await?;
        if self.world.failing_leave.lock().unwrap().contains(site) {
            return Err(PeersError::Timeout { site: site.to_owned() });
        }
        let call = || agent.leave(&self.caller, global_id);
        self.world.serve(site, call).await.map_err(refused(site))
    }
    async fn grant_pools(
        &self,
        site: &str,
        global_id: &str,
        requester: &str,
    ) -> Result<Vec<Pool>, PeersError> {
        let agent = self.agent(site).await?;
        let call = || agent.grant_pools(&self.caller, global_id, requester);
        self.world.serve(site, call).await.map_err(refused(site))
    }
}

/// One site of a test world.
#[derive(Debug, Clone)]
pub struct Site {
    pub agent: Arc<Agent>,
    pub vim: BridgeVim<FakeNetlink>,
    pub nl: FakeNetlink,
    pub fw: FakeFirewall,
    pub underlay: Ipv4Addr,
}

/// The underlay address of site number `i` of a world: 192.0.2.N for the first 254, then in
/// 198.18.0.0/15 (the benchmarking range), for worlds of hundreds of sites.
pub fn underlay_of(i: usize) -> Ipv4Addr {
    match u8::try_from(i + 1) {
        Ok(n) if n < 255 => Ipv4Addr::new(192, 0, 2, n),
        _ => Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + u32::try_from(i).unwrap()),
    }
}

/// Sites named `names`, each with its namespace, an underlay link `eth0` (MTU 1500) holding
/// 192.0.2.N, and an agent whose peers are the other sites.
pub async fn world(names: &[&str]) -> (BTreeMap<String, Site>, Arc<FakePeers>) {
    let peers = Arc::new(FakePeers::default());
    let mut sites = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        let nl = FakeNetlink::new();
        let ns = format!("site-{name}");
        nl.ensure_netns(&ns).await.unwrap();
        nl.ensure_bridge(Some(&ns), "eth0", Some(1500)).await.unwrap();
        let underlay = underlay_of(i);
        let prefix = if underlay.octets()[0] == 192 { 24 } else { 15 };
        nl.ensure_address(Some(&ns), "eth0", Ipv4Net::new(underlay, prefix).unwrap())
            .await
            .unwrap();
        let vim = BridgeVim::new(ns.clone(), nl.clone());
        let mut cfg = AgentConfig::new(*name, underlay);
        cfg.netns = Some(ns);
        cfg.peers = names
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(j, other)| ((*other).to_owned(), underlay_of(j)))
            .collect();
        let calls = CallsFrom { caller: (*name).to_owned(), world: peers.clone() };
        let fw = FakeFirewall::new();
        let agent = Arc::new(Agent::new(
            cfg,
            Store::in_memory().unwrap(),
            Arc::new(vim.clone()),
            Arc::new(nl.clone()),
            Arc::new(fw.clone()),
            Arc::new(calls),
        ));
        peers.agents.lock().unwrap().insert((*name).to_owned(), agent.clone());
        sites.insert((*name).to_owned(), Site { agent, vim, nl, fw, underlay });
    }
    (sites, peers)
}
