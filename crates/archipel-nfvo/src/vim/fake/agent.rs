//! The fake agents of [`FakeVims`]: an extension makes the network at every other site, with
//! the master's subnet and disjoint addresses, like the real agents do.

use std::collections::BTreeSet;

use async_trait::async_trait;

use super::{refused, FakeCall, FakeExtension, FakeNetwork, FakeVims, World};
use crate::vim::{Agent, AgentSite, VimError};

/// How many disjoint address slices a fake extension's subnet is cut into.
const SLICES: usize = 8;

/// The agent of one site of [`FakeVims`].
#[derive(Debug)]
pub struct FakeAgent {
    site: String,
    vims: FakeVims,
}

impl FakeAgent {
    pub(super) fn new(site: &str, vims: FakeVims) -> Self {
        Self { site: site.to_owned(), vims }
    }
}

/// Gives `site` the network `network` holding slice `slice` of the master's addresses (the
/// master keeps slice 0, which starts with the gateway).
fn give(world: &mut World, master: &str, network: &str, site: &str, slice: usize) {
    let Some(source) = world.networks.get(&(master.to_owned(), network.to_owned())) else {
        return;
    };
    let hosts = source.hosts.iter().copied().enumerate();
    let hosts = hosts.filter(|(i, _)| i % SLICES == slice).map(|(_, a)| a).collect();
    let made = FakeNetwork { hosts, used: BTreeSet::new() };
    world.networks.entry((site.to_owned(), network.to_owned())).or_insert(made);
}

#[async_trait]
impl Agent for FakeAgent {
    async fn site(&self) -> Result<AgentSite, VimError> {
        drop(self.vims.enter(&self.site, FakeCall::Info { site: self.site.clone() })?);
        Ok(AgentSite { site: self.site.clone(), tunnel_mtu: 1450 })
    }

    async fn extend(&self, network: &str, sites: &[String]) -> Result<String, VimError> {
        let call = FakeCall::Extend {
            site: self.site.clone(),
            network: network.to_owned(),
            sites: sites.to_vec(),
        };
        let mut world = self.vims.enter(&self.site, call)?;
        if let Some(down) = sites.iter().find(|s| world.unreachable.contains(*s)) {
            return Err(refused(format!("site {down} is unreachable")));
        }
        let key = (self.site.clone(), network.to_owned());
        if !world.networks.contains_key(&key) {
            return Err(refused(format!("no network {network} at site {}", self.site)));
        }
        world.next_id += 1;
        let global_id = format!("{}-{:08x}", self.site, world.next_id);
        for (slice, site) in sites.iter().filter(|s| **s != self.site).enumerate() {
            give(&mut world, &self.site, network, site, slice + 1);
        }
        if let Some(own) = world.networks.get_mut(&key) {
            let hosts = std::mem::take(&mut own.hosts).into_iter().enumerate();
            own.hosts = hosts.filter(|(i, _)| i % SLICES == 0).map(|(_, a)| a).collect();
        }
        let extension = FakeExtension {
            master: self.site.clone(),
            network: network.to_owned(),
            sites: sites.to_vec(),
        };
        world.extensions.insert(global_id.clone(), extension);
        Ok(global_id)
    }

    async fn set_sites(
        &self,
        global_id: &str,
        network: &str,
        sites: &[String],
    ) -> Result<Vec<String>, VimError> {
        let call = FakeCall::SetSites {
            site: self.site.clone(),
            global_id: global_id.to_owned(),
            sites: sites.to_vec(),
        };
        let mut world = self.vims.enter(&self.site, call)?;
        let Some(old) = world.extensions.get(global_id).cloned() else {
            return Err(refused(format!("no extension {global_id}")));
        };
        if let Some(down) = sites.iter().find(|s| world.unreachable.contains(*s)) {
            return Err(refused(format!("site {down} is unreachable")));
        }
        for gone in old.sites.iter().filter(|s| !sites.contains(s) && **s != self.site) {
            world.networks.remove(&(gone.clone(), network.to_owned()));
        }
        let fresh: Vec<&String> = sites.iter().filter(|s| !old.sites.contains(s)).collect();
        for (i, site) in fresh.into_iter().enumerate() {
            give(&mut world, &self.site, network, site, (old.sites.len() + i) % SLICES);
        }
        let extension = FakeExtension { sites: sites.to_vec(), ..old };
        world.extensions.insert(global_id.to_owned(), extension);
        Ok(Vec::new())
    }

    async fn remove(&self, global_id: &str) -> Result<Vec<String>, VimError> {
        let call =
            FakeCall::RemoveExtension { site: self.site.clone(), global_id: global_id.to_owned() };
        let mut world = self.vims.enter(&self.site, call)?;
        if let Some(old) = world.extensions.remove(global_id) {
            for gone in old.sites.iter().filter(|s| **s != old.master) {
                world.networks.remove(&(gone.clone(), old.network.clone()));
            }
        }
        Ok(Vec::new())
    }

    async fn find(&self, name: &str) -> Result<Option<String>, VimError> {
        let world = self.vims.enter(&self.site, FakeCall::Info { site: self.site.clone() })?;
        Ok(world
            .extensions
            .iter()
            .find(|(_, e)| e.network == name && e.master == self.site)
            .map(|(id, _)| id.clone()))
    }
}
