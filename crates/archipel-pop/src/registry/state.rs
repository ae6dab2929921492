use std::collections::HashMap;
use std::sync::Arc;

use archipel_ipam::Allocator;

use crate::error::PopError;
use crate::model::{PopContainer, PopNetwork, Selector};

/// One container in memory: its record, the lock that serialises operations on it (held
/// across runtime calls, unlike the state lock), and the sequence number of its last change.
#[derive(Debug)]
pub(crate) struct Slot {
    pub record: PopContainer,
    pub op: Arc<tokio::sync::Mutex<()>>,
    pub seq: u64,
}

/// One network in memory with the addresses handed out on it.
#[derive(Debug)]
pub(crate) struct NetSlot {
    pub record: PopNetwork,
    pub alloc: Allocator,
    /// Being removed from the runtime: no new address is handed out on it.
    pub deleting: bool,
}

/// The registry in memory. Guarded by one std mutex that is never held across an await; every
/// change to it is written to the store under the same lock.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub containers: HashMap<String, Slot>,
    /// Container name -> id.
    pub names: HashMap<String, String>,
    /// By network id.
    pub networks: HashMap<String, NetSlot>,
    /// Bumped at every container change.
    pub seq: u64,
}

impl State {
    pub fn container(&self, sel: &Selector) -> Result<&Slot, PopError> {
        let found = match sel {
            Selector::Id(id) => self.containers.get(id),
            Selector::Name(name) => self.names.get(name).and_then(|id| self.containers.get(id)),
        };
        found.ok_or_else(|| PopError::ContainerNotFound { selector: sel.clone() })
    }

    /// The container by id; gone means it was deleted while the caller waited for it.
    pub fn slot(&self, id: &str) -> Result<&Slot, PopError> {
        self.containers.get(id).ok_or_else(|| PopError::ContainerDeleted { id: id.to_owned() })
    }

    /// A network by name, else by id.
    pub fn network_ref(&self, reference: &str) -> Option<&NetSlot> {
        self.networks
            .values()
            .find(|n| n.record.name == reference)
            .or_else(|| self.networks.get(reference))
    }

    pub fn network(&self, sel: &Selector) -> Result<&NetSlot, PopError> {
        let found = match sel {
            Selector::Id(id) => self.networks.get(id),
            Selector::Name(name) => self.networks.values().find(|n| &n.record.name == name),
        };
        found.ok_or_else(|| PopError::NetworkNotFound { selector: sel.clone() })
    }

    /// Returns a container's addresses to their pools.
    pub fn release(&mut self, record: &PopContainer) {
        for ep in record.endpoints.values() {
            if let Some(net) = self.networks.get_mut(&ep.network_id) {
                net.alloc.release(ep.address);
            }
        }
    }
}

pub(crate) fn matches(filter: Option<&Selector>, c: &PopContainer) -> bool {
    match filter {
        None => true,
        Some(Selector::Id(id)) => &c.id == id,
        Some(Selector::Name(name)) => &c.name == name,
    }
}
