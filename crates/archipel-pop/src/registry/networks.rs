use archipel_ipam::{overlaps, Allocator, Pool, SubnetPlan};

use super::open::adopt_attachment;
use super::state::NetSlot;
use super::{detached, Pop};
use crate::error::{chain, PopError};
use crate::model::{
    new_id, reserved_range, validate_name, CreateNetwork, LinuxAttachment, PopNetwork, Selector,
    UpdateNetwork,
};

/// The MTUs Linux accepts on a bridge with IPv4.
const MTU_RANGE: std::ops::RangeInclusive<u32> = 68..=65535;

impl Pop {
    /// Creates a network in the runtime, then records it; a runtime failure records nothing.
    pub async fn create_network(&self, cmd: CreateNetwork) -> Result<PopNetwork, PopError> {
        validate_name("network", &cmd.name)?;
        check_mtu(cmd.mtu)?;
        if let Some(range) = reserved_range(cmd.subnet) {
            return Err(PopError::ReservedSubnet { network: cmd.name, subnet: cmd.subnet, range });
        }
        let plan = SubnetPlan::new(cmd.subnet, cmd.gateway, cmd.pools)
            .map_err(|source| PopError::InvalidSubnetPlan { network: cmd.name.clone(), source })?;
        let this = self.clone();
        detached(async move {
            let _net_ops = this.inner().net_ops.lock().await;
            this.check_new_network(&cmd.name, &plan)?;
            let mut net = PopNetwork {
                id: new_id(),
                name: cmd.name,
                plan,
                mtu: cmd.mtu,
                attachment: LinuxAttachment::default(),
                runtime_id: String::new(),
                managed: true,
            };
            let att = this.inner().runtime.ensure_network(&net.spec()).await?;
            adopt_attachment(&mut net, &att);
            if let Some(range) = att.runtime_range {
                let pools: Vec<Pool> =
                    net.plan.pools().iter().flat_map(|p| p.without(&range)).collect();
                match net.plan.with_pools(pools) {
                    Ok(plan) => net.plan = plan,
                    Err(source) => {
                        let _ = this.inner().runtime.remove_network(&net.spec()).await;
                        return Err(PopError::InvalidSubnetPlan { network: net.name, source });
                    }
                }
            }
            let mut alloc = Allocator::new(net.plan.clone());
            for addr in att.in_use {
                let _ = alloc.allocate(Some(addr));
            }
            let mut st = this.lock();
            if let Err(e) = this.inner().store.put_network(&net) {
                drop(st);
                // Unrecorded, the bridge would stay for good.
                if let Err(error) = this.inner().runtime.remove_network(&net.spec()).await {
                    tracing::warn!(network = %net.name, error = %chain(&error), "cannot remove an unrecorded network");
                }
                return Err(e.into());
            }
            st.networks.insert(net.id.clone(), NetSlot { record: net.clone(), alloc, deleting: false });
            tracing::info!(network = %net.name, subnet = %net.plan.cidr(), bridge = %net.attachment.bridge, "network created");
            Ok(net)
        })
        .await
    }

    fn check_new_network(&self, name: &str, plan: &SubnetPlan) -> Result<(), PopError> {
        let st = self.lock();
        for other in st.networks.values().map(|n| &n.record) {
            if other.name == name {
                return Err(PopError::NetworkExists { name: name.to_owned() });
            }
            if overlaps(&other.plan.cidr(), &plan.cidr()) {
                return Err(PopError::SubnetOverlap {
                    subnet: plan.cidr(),
                    other: other.plan.cidr(),
                    network: other.name.clone(),
                });
            }
        }
        Ok(())
    }

    /// Replaces the pools (every address in use must stay inside them) and/or sets the MTU.
    pub async fn update_network(
        &self,
        sel: &Selector,
        update: UpdateNetwork,
    ) -> Result<PopNetwork, PopError> {
        check_mtu(update.mtu)?;
        let sel = sel.clone();
        let this = self.clone();
        detached(async move {
            let _net_ops = this.inner().net_ops.lock().await;
            let (before, mut after) = {
                let st = this.lock();
                let slot = st.network(&sel)?;
                let mut after = slot.record.clone();
                if let Some(pools) = &update.pools {
                    let mut probe = slot.alloc.clone();
                    probe.set_pools(pools.clone()).map_err(|e| PopError::pools(&after.name, e))?;
                    after.plan = probe.plan().clone();
                }
                (slot.record.clone(), after)
            };
            after.mtu = update.mtu.or(before.mtu);
            if after.mtu != before.mtu {
                this.inner().runtime.update_network(&after.spec()).await?;
            }
            let mut st = this.lock();
            let slot = st.networks.get_mut(&before.id).ok_or_else(|| {
                PopError::NetworkDeleted { name: before.name.clone() }
            })?;
            let mut alloc = slot.alloc.clone();
            if let Some(pools) = update.pools {
                alloc.set_pools(pools).map_err(|e| PopError::pools(&after.name, e))?;
            }
            this.inner().store.put_network(&after)?;
            slot.alloc = alloc;
            slot.record = after.clone();
            tracing::info!(network = %after.name, mtu = ?after.mtu, pools = after.plan.pools().len(), "network updated");
            Ok(after)
        })
        .await
    }

    /// Deletes a network nobody holds an address on, from the runtime and the store. The
    /// default network may go too (popd then leaves nothing in the runtime); it is ensured
    /// again at the next start.
    pub async fn delete_network(&self, sel: &Selector) -> Result<(), PopError> {
        let sel = sel.clone();
        let this = self.clone();
        detached(async move {
            let _net_ops = this.inner().net_ops.lock().await;
            let net = this.mark_deleting(&sel)?;
            if let Err(e) = this.inner().runtime.remove_network(&net.spec()).await {
                this.unmark_deleting(&net.id);
                return Err(e.into());
            }
            let mut st = this.lock();
            if let Err(e) = this.inner().store.delete_network(&net.id) {
                drop(st);
                this.unmark_deleting(&net.id);
                return Err(e.into());
            }
            st.networks.remove(&net.id);
            tracing::info!(network = %net.name, "network deleted");
            Ok(())
        })
        .await
    }

    fn mark_deleting(&self, sel: &Selector) -> Result<PopNetwork, PopError> {
        let mut st = self.lock();
        let net = st.network(sel)?.record.clone();
        let mut holders: Vec<String> = st
            .containers
            .values()
            .map(|s| &s.record)
            .filter(|c| c.holds_addresses())
            .filter(|c| c.endpoints.values().any(|ep| ep.network_id == net.id))
            .map(|c| c.name.clone())
            .collect();
        if !holders.is_empty() {
            holders.sort_unstable();
            return Err(PopError::NetworkInUse { network: net.name, containers: holders });
        }
        if let Some(slot) = st.networks.get_mut(&net.id) {
            slot.deleting = true;
        }
        Ok(net)
    }

    fn unmark_deleting(&self, id: &str) {
        if let Some(slot) = self.lock().networks.get_mut(id) {
            slot.deleting = false;
        }
    }
}

fn check_mtu(mtu: Option<u32>) -> Result<(), PopError> {
    match mtu {
        Some(mtu) if !MTU_RANGE.contains(&mtu) => {
            Err(PopError::MtuOutOfRange { mtu, min: *MTU_RANGE.start(), max: *MTU_RANGE.end() })
        }
        _ => Ok(()),
    }
}
