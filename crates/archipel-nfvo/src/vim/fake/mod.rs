//! A recording fake of every site's popd, for tests of the engine and the REST API. It keeps
//! networks and containers like popd does (names unique, addresses from the subnet, metadata
//! only before start), records every call, and fails the calls a test asks it to.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{
    Agent, ContainerEvents, ContainerSpec, ExecOutcome, ExecSpec, NetworkSpec, PopContainer, Vim,
    VimError, VimInfo, Vims,
};
use crate::model::Site;
use async_trait::async_trait;

mod agent;
mod events;

pub use agent::FakeAgent;

/// One call, as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeCall {
    Info {
        site: String,
    },
    CreateNetwork {
        site: String,
        name: String,
    },
    DeleteNetwork {
        site: String,
        name: String,
    },
    CreateContainer {
        site: String,
        name: String,
    },
    SetMetadata {
        site: String,
        name: String,
        entries: BTreeMap<String, String>,
    },
    Start {
        site: String,
        name: String,
    },
    DeleteContainer {
        site: String,
        name: String,
    },
    Exec {
        site: String,
        name: String,
        command: Vec<String>,
        env: BTreeMap<String, String>,
    },
    Containers {
        site: String,
    },
    Watch {
        site: String,
    },
    /// To the agent of `site`.
    Extend {
        site: String,
        network: String,
        sites: Vec<String>,
    },
    SetSites {
        site: String,
        global_id: String,
        sites: Vec<String>,
    },
    RemoveExtension {
        site: String,
        global_id: String,
    },
}

impl FakeCall {
    pub fn site(&self) -> &str {
        match self {
            FakeCall::Info { site }
            | FakeCall::Containers { site }
            | FakeCall::Watch { site }
            | FakeCall::CreateNetwork { site, .. }
            | FakeCall::DeleteNetwork { site, .. }
            | FakeCall::CreateContainer { site, .. }
            | FakeCall::SetMetadata { site, .. }
            | FakeCall::Start { site, .. }
            | FakeCall::DeleteContainer { site, .. }
            | FakeCall::Exec { site, .. }
            | FakeCall::Extend { site, .. }
            | FakeCall::SetSites { site, .. }
            | FakeCall::RemoveExtension { site, .. } => site,
        }
    }

    /// Whether the call makes or changes something (deletes aside).
    pub fn makes(&self) -> bool {
        matches!(
            self,
            FakeCall::CreateNetwork { .. }
                | FakeCall::CreateContainer { .. }
                | FakeCall::SetMetadata { .. }
                | FakeCall::Start { .. }
                | FakeCall::Extend { .. }
                | FakeCall::SetSites { .. }
        )
    }
}

/// A container the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeContainer {
    pub id: String,
    pub name: String,
    pub image: String,
    pub status: String,
    /// Network name -> address.
    pub addresses: BTreeMap<String, String>,
    pub metadata: BTreeMap<String, String>,
    /// The environment it started with.
    pub env: Option<BTreeMap<String, String>>,
    pub exit_code: Option<i32>,
}

#[derive(Debug)]
struct FakeNetwork {
    hosts: Vec<Ipv4Addr>,
    used: BTreeSet<Ipv4Addr>,
}

/// An L2 extension the fake agents hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeExtension {
    pub master: String,
    pub network: String,
    pub sites: Vec<String>,
}

type Rule = Box<dyn Fn(&FakeCall) -> bool + Send>;

/// Holds the calls of a rule (see [`FakeVims::hold_when`]) until released.
#[derive(Debug, Clone)]
pub struct Hold {
    gate: Arc<tokio::sync::Semaphore>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
}

impl Default for Hold {
    fn default() -> Self {
        Self { gate: Arc::new(tokio::sync::Semaphore::new(0)), waiting: Arc::default() }
    }
}

impl Hold {
    /// Lets every held call, and every later one, through.
    pub fn release(&self) {
        self.gate.close();
    }

    /// How many calls wait now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::SeqCst)
    }

    async fn wait(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.waiting.fetch_add(1, SeqCst);
        // No permit is ever added: the wait ends when the gate closes.
        let _closed = self.gate.acquire().await;
        self.waiting.fetch_sub(1, SeqCst);
    }
}

#[derive(Default)]
struct World {
    networks: BTreeMap<(String, String), FakeNetwork>,
    containers: BTreeMap<(String, String), FakeContainer>,
    calls: Vec<FakeCall>,
    next_id: u64,
    /// Calls matching any of these fail.
    failing: Vec<Rule>,
    /// The making call with this ordinal fails, once.
    fail_nth_making: Option<usize>,
    making_seen: usize,
    unreachable: BTreeSet<String>,
    /// Images whose workload ends at once when started.
    exiting_images: BTreeSet<String>,
    /// A command holding this argument exits with this code.
    exec_exits: BTreeMap<String, i32>,
    /// Global id -> extension.
    extensions: BTreeMap<String, FakeExtension>,
    /// Calls matching a rule wait until its hold is released.
    holds: Vec<(Rule, Hold)>,
    watchers: events::Watchers,
}

/// Every site of a test: hands out a [`FakeVim`] per site name, all sharing one world.
#[derive(Clone, Default)]
pub struct FakeVims {
    world: Arc<Mutex<World>>,
}

impl std::fmt::Debug for FakeVims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeVims").finish_non_exhaustive()
    }
}

impl Vims for FakeVims {
    fn vim(&self, site: &Site) -> Arc<dyn Vim> {
        Arc::new(FakeVim { site: site.name.clone(), vims: self.clone() })
    }

    fn agent(&self, site: &Site) -> Option<Arc<dyn Agent>> {
        site.agent_endpoint.as_ref()?;
        Some(Arc::new(FakeAgent::new(&site.name, self.clone())))
    }
}

impl FakeVims {
    pub fn new() -> Self {
        Self::default()
    }

    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every call matching `rule` fails from now on.
    pub fn fail_when(&self, rule: impl Fn(&FakeCall) -> bool + Send + 'static) {
        self.world().failing.push(Box::new(rule));
    }

    /// The `n`-th call (from 0, counted from now) that makes or changes something fails, once.
    pub fn fail_nth_making_call(&self, n: usize) {
        let mut world = self.world();
        world.fail_nth_making = Some(n);
        world.making_seen = 0;
    }

    /// Forgets every failure rule.
    pub fn heal(&self) {
        let mut world = self.world();
        world.failing.clear();
        world.fail_nth_making = None;
        world.unreachable.clear();
    }

    /// Every call to `site` fails as if its popd were down.
    pub fn make_unreachable(&self, site: &str) {
        let mut world = self.world();
        world.unreachable.insert(site.to_owned());
        // Its Watch streams end, as a cut connection's would.
        world.watchers.retain(|(s, _)| s != site);
    }

    /// Calls matching `rule` wait, from now on, until the hold answered is released.
    pub fn hold_when(&self, rule: impl Fn(&FakeCall) -> bool + Send + 'static) -> Hold {
        let hold = Hold::default();
        self.world().holds.push((Box::new(rule), hold.clone()));
        hold
    }

    /// Containers of `image` end (EXITED) as soon as they start.
    pub fn exit_on_start(&self, image: &str) {
        self.world().exiting_images.insert(image.to_owned());
    }

    /// Commands run in containers that hold `argument` (a script's name) exit with `code`.
    pub fn exit_on_exec(&self, argument: &str, code: i32) {
        self.world().exec_exits.insert(argument.to_owned(), code);
    }

    pub fn calls(&self) -> Vec<FakeCall> {
        self.world().calls.clone()
    }

    pub fn clear_calls(&self) {
        self.world().calls.clear();
    }

    /// The containers of `site`, by name.
    pub fn containers(&self, site: &str) -> Vec<FakeContainer> {
        let world = self.world();
        world.containers.iter().filter(|((s, _), _)| s == site).map(|(_, c)| c.clone()).collect()
    }

    pub fn container(&self, site: &str, name: &str) -> Option<FakeContainer> {
        let key = (site.to_owned(), name.to_owned());
        self.world().containers.get(&key).cloned()
    }

    /// The network names of `site`.
    pub fn networks(&self, site: &str) -> Vec<String> {
        let world = self.world();
        world.networks.keys().filter(|(s, _)| s == site).map(|(_, name)| name.clone()).collect()
    }

    /// The L2 extensions the agents hold, by global id.
    pub fn extensions(&self) -> BTreeMap<String, FakeExtension> {
        self.world().extensions.clone()
    }

    /// Whether no site holds any network, container or extension.
    pub fn is_empty(&self) -> bool {
        let world = self.world();
        world.networks.is_empty() && world.containers.is_empty() && world.extensions.is_empty()
    }
}

/// One site of [`FakeVims`].
#[derive(Debug)]
pub struct FakeVim {
    site: String,
    vims: FakeVims,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct FakeError(String);

fn refused(message: String) -> VimError {
    VimError::Failed(Box::new(FakeError(message)))
}

fn not_found(message: String) -> VimError {
    VimError::NotFound(Box::new(FakeError(message)))
}

impl FakeVims {
    /// Records the call to `site` and applies the failure rules.
    fn enter(&self, site: &str, call: FakeCall) -> Result<MutexGuard<'_, World>, VimError> {
        let mut world = self.world();
        world.calls.push(call.clone());
        if world.unreachable.contains(site) {
            return Err(refused(format!("cannot connect to site {site}")));
        }
        if world.failing.iter().any(|rule| rule(&call)) {
            return Err(refused(format!("injected failure of {call:?}")));
        }
        if call.makes() {
            let seen = world.making_seen;
            world.making_seen += 1;
            if world.fail_nth_making == Some(seen) {
                world.fail_nth_making = None;
                return Err(refused(format!("injected failure of {call:?}")));
            }
        }
        Ok(world)
    }
}

impl FakeVim {
    /// Records `call` once the holds that match it are released.
    async fn enter(&self, call: FakeCall) -> Result<MutexGuard<'_, World>, VimError> {
        let holds: Vec<Hold> = {
            let world = self.vims.world();
            world.holds.iter().filter(|(rule, _)| rule(&call)).map(|(_, h)| h.clone()).collect()
        };
        for hold in holds {
            hold.wait().await;
        }
        self.vims.enter(&self.site, call)
    }

    fn key(&self, name: &str) -> (String, String) {
        (self.site.clone(), name.to_owned())
    }

    fn view(container: &FakeContainer) -> PopContainer {
        PopContainer {
            id: container.id.clone(),
            name: container.name.clone(),
            status: container.status.clone(),
            addresses: container.addresses.clone(),
            exit_code: container.exit_code,
        }
    }
}

#[async_trait]
impl Vim for FakeVim {
    async fn info(&self) -> Result<VimInfo, VimError> {
        drop(self.enter(FakeCall::Info { site: self.site.clone() }).await?);
        Ok(VimInfo { name: self.site.clone(), kind: "fake".to_owned() })
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<String, VimError> {
        let site = self.site.clone();
        let mut world =
            self.enter(FakeCall::CreateNetwork { site, name: spec.name.clone() }).await?;
        let key = self.key(&spec.name);
        if world.networks.contains_key(&key) {
            return Err(refused(format!("network {} already exists", spec.name)));
        }
        world.next_id += 1;
        let id = format!("net-{}", world.next_id);
        let hosts = spec.subnet.hosts().collect();
        let network = FakeNetwork { hosts, used: BTreeSet::new() };
        world.networks.insert(key, network);
        Ok(id)
    }

    async fn delete_network(&self, name: &str) -> Result<(), VimError> {
        let site = self.site.clone();
        let mut world = self.enter(FakeCall::DeleteNetwork { site, name: name.to_owned() }).await?;
        let attached = world
            .containers
            .iter()
            .any(|((s, _), c)| s == &self.site && c.addresses.contains_key(name));
        if attached {
            return Err(refused(format!("network {name} has containers")));
        }
        world.networks.remove(&self.key(name));
        Ok(())
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<PopContainer, VimError> {
        let site = self.site.clone();
        let mut world =
            self.enter(FakeCall::CreateContainer { site, name: spec.name.clone() }).await?;
        let key = self.key(&spec.name);
        if world.containers.contains_key(&key) {
            return Err(refused(format!("container {} already exists", spec.name)));
        }
        let mut addresses = BTreeMap::new();
        for net in &spec.networks {
            let network = world
                .networks
                .get_mut(&self.key(net))
                .ok_or_else(|| not_found(format!("network {net} not found")))?;
            let address = match spec.addresses.get(net) {
                Some(wanted) => {
                    let wanted: Ipv4Addr = wanted
                        .parse()
                        .map_err(|_| refused(format!("{wanted} is not an IPv4 address")))?;
                    if network.used.contains(&wanted) {
                        return Err(refused(format!("{wanted} is taken on network {net}")));
                    }
                    wanted
                }
                None => {
                    // The first host is the gateway.
                    let free = network.hosts.iter().skip(1).find(|a| !network.used.contains(a));
                    *free.ok_or_else(|| refused(format!("network {net} is full")))?
                }
            };
            network.used.insert(address);
            addresses.insert(net.clone(), address.to_string());
        }
        world.next_id += 1;
        let container = FakeContainer {
            id: format!("ctr-{}", world.next_id),
            name: spec.name.clone(),
            image: spec.image.clone(),
            status: "CREATED".to_owned(),
            addresses,
            metadata: BTreeMap::new(),
            env: None,
            exit_code: None,
        };
        let view = Self::view(&container);
        world.containers.insert(key, container);
        Ok(view)
    }

    async fn set_metadata(
        &self,
        name: &str,
        entries: &BTreeMap<String, String>,
    ) -> Result<(), VimError> {
        let site = self.site.clone();
        let call = FakeCall::SetMetadata { site, name: name.to_owned(), entries: entries.clone() };
        let mut world = self.enter(call).await?;
        let container = world
            .containers
            .get_mut(&self.key(name))
            .ok_or_else(|| not_found(format!("container {name} not found")))?;
        if container.status != "CREATED" {
            return Err(refused(format!("container {name} is {}", container.status)));
        }
        for (key, value) in entries {
            if value.is_empty() {
                container.metadata.remove(key);
            } else {
                container.metadata.insert(key.clone(), value.clone());
            }
        }
        Ok(())
    }

    async fn start(&self, name: &str) -> Result<PopContainer, VimError> {
        let site = self.site.clone();
        let mut world = self.enter(FakeCall::Start { site, name: name.to_owned() }).await?;
        let exiting = world.exiting_images.clone();
        let container = world
            .containers
            .get_mut(&self.key(name))
            .ok_or_else(|| not_found(format!("container {name} not found")))?;
        if container.status != "CREATED" {
            return Err(refused(format!("container {name} is {}", container.status)));
        }
        container.env = Some(container.metadata.clone());
        container.status =
            if exiting.contains(&container.image) { "EXITED" } else { "RUNNING" }.to_owned();
        let view = Self::view(container);
        events::publish(&mut world, &self.site, &view);
        Ok(view)
    }

    async fn exec(&self, name: &str, spec: &ExecSpec) -> Result<ExecOutcome, VimError> {
        let site = self.site.clone();
        let (command, env) = (spec.command.clone(), spec.env.clone());
        let world =
            self.enter(FakeCall::Exec { site, name: name.to_owned(), command, env }).await?;
        let container = world
            .containers
            .get(&self.key(name))
            .ok_or_else(|| not_found(format!("container {name} not found")))?;
        if container.status != "RUNNING" {
            return Err(refused(format!("container {name} is {}", container.status)));
        }
        let exit_code =
            spec.command.iter().find_map(|a| world.exec_exits.get(a).copied()).unwrap_or(0);
        let output = format!("ran in {name}\n").into_bytes();
        Ok(ExecOutcome { exit_code, output, timed_out: false })
    }

    async fn delete_container(&self, name: &str) -> Result<(), VimError> {
        let site = self.site.clone();
        let mut world =
            self.enter(FakeCall::DeleteContainer { site, name: name.to_owned() }).await?;
        if let Some(container) = world.containers.remove(&self.key(name)) {
            for (net, address) in container.addresses {
                if let (Some(network), Ok(address)) =
                    (world.networks.get_mut(&self.key(&net)), address.parse())
                {
                    network.used.remove(&address);
                }
            }
        }
        Ok(())
    }

    async fn containers(&self) -> Result<Vec<PopContainer>, VimError> {
        let world = self.enter(FakeCall::Containers { site: self.site.clone() }).await?;
        Ok(world
            .containers
            .iter()
            .filter(|((s, _), _)| s == &self.site)
            .map(|(_, c)| Self::view(c))
            .collect())
    }

    async fn watch(&self) -> Result<Box<dyn ContainerEvents>, VimError> {
        let mut world = self.enter(FakeCall::Watch { site: self.site.clone() }).await?;
        Ok(self.follow(&mut world))
    }
}
