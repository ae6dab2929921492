use std::sync::{Arc, Mutex};

use archipel_ipam::{Allocator, SubnetPlan};
use tokio::sync::{broadcast, watch};

use super::state::{NetSlot, Slot, State};
use super::{Inner, Pop, PopSettings, EVENT_BUFFER};
use crate::error::PopError;
use crate::model::{new_id, reserved_range, LinuxAttachment, PopNetwork};
use crate::reconcile;
use crate::runtime::{NetworkAttachment, Runtime};
use crate::store::Store;

impl Pop {
    /// Loads the registry from the store, ensures every network in the runtime (the default
    /// one is created when absent), rebuilds the allocations from the records, then recovers
    /// the workloads: running ones are re-adopted, ended ones finalised, orphans removed.
    pub async fn open(
        store: Arc<Store>,
        runtime: Arc<dyn Runtime>,
        settings: PopSettings,
    ) -> Result<Pop, PopError> {
        let mut st = State::default();
        let mut foreign = Vec::new();
        for mut net in store.networks()? {
            let att = runtime.ensure_network(&net.spec()).await?;
            if adopt_attachment(&mut net, &att) {
                store.put_network(&net)?;
            }
            foreign.push((net.id.clone(), att.in_use));
            let alloc = Allocator::new(net.plan.clone());
            st.networks.insert(net.id.clone(), NetSlot { record: net, alloc, deleting: false });
        }
        match st.networks.values().find(|n| n.record.name == settings.default_network) {
            Some(n) if n.record.plan.cidr() != settings.default_subnet => tracing::warn!(
                network = %n.record.name,
                stored = %n.record.plan.cidr(),
                configured = %settings.default_subnet,
                "the default network keeps its stored subnet"
            ),
            Some(_) => {}
            None => {
                let (net, in_use) = create_default(&store, runtime.as_ref(), &settings).await?;
                foreign.push((net.id.clone(), in_use));
                let alloc = Allocator::new(net.plan.clone());
                st.networks.insert(net.id.clone(), NetSlot { record: net, alloc, deleting: false });
            }
        }
        let op = || Arc::new(tokio::sync::Mutex::new(()));
        for record in store.containers()? {
            if record.holds_addresses() {
                for (name, ep) in &record.endpoints {
                    let booked = st
                        .networks
                        .get_mut(&ep.network_id)
                        .map(|n| n.alloc.allocate(Some(ep.address)));
                    if !matches!(booked, Some(Ok(_))) {
                        tracing::error!(container = %record.name, network = %name, address = %ep.address, "a stored address cannot be booked again");
                    }
                }
            }
            st.names.insert(record.name.clone(), record.id.clone());
            st.containers.insert(record.id.clone(), Slot { record, op: op(), seq: 0 });
        }
        // Addresses of workloads popd did not start: reserved after popd's own, so that a
        // clash with a record never books one address twice.
        for (net_id, addrs) in foreign {
            if let Some(net) = st.networks.get_mut(&net_id) {
                for addr in addrs {
                    let _ = net.alloc.allocate(Some(addr));
                }
            }
        }
        let pop = Pop {
            inner: Arc::new(Inner {
                settings,
                store: store.clone(),
                runtime,
                state: Mutex::new(st),
                events: broadcast::channel(EVENT_BUFFER).0,
                net_ops: tokio::sync::Mutex::new(()),
                pool_provider: Mutex::new(None),
                refills: tokio::sync::Mutex::new(()),
                closed: watch::channel(false).0,
            }),
        };
        reconcile::recover(&pop).await?;
        store.rebuild_allocations()?;
        Ok(pop)
    }
}

async fn create_default(
    store: &Store,
    runtime: &dyn Runtime,
    settings: &PopSettings,
) -> Result<(PopNetwork, Vec<std::net::Ipv4Addr>), PopError> {
    let subnet = settings.default_subnet;
    if let Some(range) = reserved_range(subnet) {
        return Err(PopError::ReservedSubnet {
            network: settings.default_network.clone(),
            subnet,
            range,
        });
    }
    let plan = SubnetPlan::new(settings.default_subnet, None, Vec::new()).map_err(|source| {
        PopError::DefaultSubnetUnusable { subnet: settings.default_subnet, source }
    })?;
    let mut net = PopNetwork {
        id: new_id(),
        name: settings.default_network.clone(),
        plan,
        mtu: None,
        attachment: LinuxAttachment::default(),
        runtime_id: String::new(),
        managed: false,
    };
    let att = runtime.ensure_network(&net.spec()).await?;
    adopt_attachment(&mut net, &att);
    store.put_network(&net)?;
    tracing::info!(network = %net.name, subnet = %net.plan.cidr(), bridge = %net.attachment.bridge, "default network ready");
    Ok((net, att.in_use))
}

/// Takes the runtime's id and attachment; true if they changed.
pub(super) fn adopt_attachment(net: &mut PopNetwork, att: &NetworkAttachment) -> bool {
    let attachment = LinuxAttachment { bridge: att.bridge.clone(), netns: att.netns.clone() };
    let changed = net.runtime_id != att.runtime_id || net.attachment != attachment;
    net.runtime_id = att.runtime_id.clone();
    net.attachment = attachment;
    changed
}
