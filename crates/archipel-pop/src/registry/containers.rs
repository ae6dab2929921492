use std::collections::{BTreeMap, HashSet};

use archipel_ipam::IpamError;

use super::{detached, Pop};
use crate::error::PopError;
use crate::model::{
    metadata_bytes, new_id, now_unix, resolve_flavour, validate_metadata, validate_name,
    ContainerEndpoint, ContainerState, CreateContainer, EndpointRequest, PopContainer, Selector,
    MAX_METADATA_BYTES,
};

impl Pop {
    /// Creates a container: reserves an address on every endpoint's network (all or nothing)
    /// and runs nothing. No endpoint means one on the default network.
    pub async fn create(&self, cmd: CreateContainer) -> Result<PopContainer, PopError> {
        validate_name("container", &cmd.name)?;
        let (flavour, _) = resolve_flavour(&self.settings().flavours, &cmd.flavour)?;
        if cmd.image.is_empty() {
            return Err(PopError::ImageRequired);
        }
        if self.lock().names.contains_key(&cmd.name) {
            return Err(taken_name(&cmd.name));
        }
        if self.inner().runtime.image(&cmd.image).await?.is_none() {
            return Err(PopError::ImageNotFound { image: cmd.image });
        }
        let wanted = if cmd.endpoints.is_empty() {
            let network = self.settings().default_network.clone();
            vec![EndpointRequest { network, address: None }]
        } else {
            cmd.endpoints
        };

        // A network that runs out is refilled once by the pool provider, with no lock held,
        // and the whole reservation tried again.
        let mut refilled = HashSet::new();
        loop {
            match self.reserve(&cmd.name, &cmd.image, &flavour, &wanted)? {
                Reserved::Done(record) => {
                    tracing::info!(container = %record.name, id = %record.id, "created");
                    return Ok(record);
                }
                Reserved::Exhausted { network, error } => {
                    if !refilled.insert(network.clone()) {
                        return Err(error);
                    }
                    self.refill(&network, error).await?;
                }
            }
        }
    }

    /// Reserves an address on every endpoint's network and records the container, under the
    /// state lock; an exhausted network is handed back for a refill.
    fn reserve(
        &self,
        name: &str,
        image: &str,
        flavour: &str,
        wanted: &[EndpointRequest],
    ) -> Result<Reserved, PopError> {
        let mut st = self.lock();
        if st.names.contains_key(name) {
            return Err(taken_name(name));
        }
        let mut resolved = Vec::with_capacity(wanted.len());
        let mut seen = HashSet::new();
        for req in wanted {
            let net = st.network_ref(&req.network).filter(|n| !n.deleting);
            let net = net.ok_or_else(|| PopError::UnknownNetwork { name: req.network.clone() })?;
            if !seen.insert(net.record.id.clone()) {
                return Err(PopError::NetworkTwice { network: net.record.name.clone() });
            }
            resolved.push((net.record.id.clone(), net.record.name.clone(), req.address));
        }
        let mut endpoints = BTreeMap::new();
        for (net_id, net_name, address) in &resolved {
            let net = st.networks.get_mut(net_id).expect("resolved under the same lock");
            match net.alloc.allocate(*address) {
                Ok(address) => {
                    let ep = ContainerEndpoint { network_id: net_id.clone(), address, mac: None };
                    endpoints.insert(net_name.clone(), ep);
                }
                Err(e) => {
                    release(&mut st, &endpoints);
                    let exhausted = matches!(e, IpamError::Exhausted { .. });
                    let error = PopError::address(net_name, e);
                    if exhausted {
                        return Ok(Reserved::Exhausted { network: net_name.clone(), error });
                    }
                    return Err(error);
                }
            }
        }
        let record = PopContainer {
            id: new_id(),
            name: name.to_owned(),
            image: image.to_owned(),
            flavour: flavour.to_owned(),
            endpoints,
            metadata: BTreeMap::new(),
            created: now_unix(),
            started: None,
            state: ContainerState::Created,
            extended_status: "created: addresses reserved, nothing runs until Start".into(),
            exit_code: None,
            runtime_id: None,
        };
        if let Err(e) = self.commit(&mut st, record.clone()) {
            release(&mut st, &record.endpoints);
            return Err(e);
        }
        Ok(Reserved::Done(record))
    }

    /// Merges entries into the metadata of a CREATED container; an empty value deletes the key.
    pub async fn set_metadata(
        &self,
        sel: &Selector,
        entries: BTreeMap<String, String>,
    ) -> Result<(), PopError> {
        validate_metadata(&entries)?;
        let (id, op) = self.op_of(sel)?;
        let this = self.clone();
        detached(async move {
            let _op = op.lock().await;
            let mut st = this.lock();
            let mut record = st.slot(&id)?.record.clone();
            if record.state != ContainerState::Created {
                return Err(PopError::WrongState {
                    container: record.name,
                    state: record.state,
                    rule: "metadata can change only while it is CREATED".into(),
                });
            }
            // The key named if the whole is too large: the request's largest entry.
            let largest = entries.iter().max_by_key(|(k, v)| k.len() + v.len()).map(|(k, _)| k);
            let largest = largest.cloned().unwrap_or_default();
            for (key, value) in entries {
                if value.is_empty() {
                    record.metadata.remove(&key);
                } else {
                    record.metadata.insert(key, value);
                }
            }
            let bytes = metadata_bytes(&record.metadata);
            if bytes > MAX_METADATA_BYTES {
                return Err(PopError::MetadataTooLarge {
                    key: largest,
                    bytes,
                    limit: MAX_METADATA_BYTES,
                });
            }
            this.commit(&mut st, record)
        })
        .await
    }
}

/// The outcome of one reservation attempt.
enum Reserved {
    Done(PopContainer),
    /// `network` has no free address left; `error` says so.
    Exhausted {
        network: String,
        error: PopError,
    },
}

fn taken_name(name: &str) -> PopError {
    PopError::ContainerExists { name: name.to_owned() }
}

fn release(st: &mut super::State, endpoints: &BTreeMap<String, ContainerEndpoint>) {
    for ep in endpoints.values() {
        if let Some(net) = st.networks.get_mut(&ep.network_id) {
            net.alloc.release(ep.address);
        }
    }
}
