//! Heal: each failed VNFC instance is re-created where it was, with its name, its addresses and
//! its metadata (dependency values included), and started; its dependants are not touched. The
//! container's intent-log row stays the VNFC's own (it is deleted and made again under the
//! same name), so a failed heal leaves the record as it was, degraded, and a heal interrupted
//! by a stop is done again at the next start. The watch begins heals itself for an NSR with
//! auto-heal on, a bounded number of times with a doubling wait.

use std::collections::BTreeMap;

use super::deps::own_metadata;
use super::instances::wrong_status;
use super::lifecycle;
use super::run::Run;
use super::watch::{self, auto_heal_delay};
use super::Nfvo;
use crate::error::{chain, NfvoError};
use crate::ids;
use crate::model::{Failure, Health, HealthState, OpOcc, Operation, Status, Step};
use crate::store::ResourceKind;
use crate::vim::ContainerSpec;

impl Nfvo {
    /// Begins healing VNFC instances `vnfcs` (container names) of an ACTIVE NSR; none named:
    /// every DEGRADED one. It also gives the auto-heal its attempts back.
    pub fn heal(&self, id: &str, vnfcs: Vec<String>) -> Result<OpOcc, NfvoError> {
        self.begin_heal(id, vnfcs, false)
    }

    fn begin_heal(&self, id: &str, vnfcs: Vec<String>, auto: bool) -> Result<OpOcc, NfvoError> {
        let _gate = self.gate();
        let mut nsr = self.nsr(id)?;
        self.check_idle(id)?;
        if nsr.status != Status::Active {
            return Err(wrong_status(&nsr, "heal", "ACTIVE"));
        }
        if let Some(unknown) = vnfcs.iter().find(|name| !nsr.vnfcs().any(|(_, v)| &v.name == *name))
        {
            return Err(NfvoError::InvalidRequest {
                reason: format!("network service {id} has no VNFC instance {unknown}"),
            });
        }
        let vnfcs = if vnfcs.is_empty() {
            let failed = nsr.vnfcs().filter(|(_, v)| v.health.state == HealthState::Degraded);
            failed.map(|(_, v)| v.name.clone()).collect()
        } else {
            vnfcs
        };
        if vnfcs.is_empty() {
            return Err(NfvoError::InvalidRequest {
                reason: format!("network service {id} has no failed VNFC instance to heal"),
            });
        }
        nsr.auto_heals = if auto { nsr.auto_heals.saturating_add(1) } else { 0 };
        self.begin(nsr, Operation::Heal { vnfcs, auto })
    }

    /// Begins an auto-heal of NSR `id` after its backoff, unless its attempts are spent.
    pub(super) fn schedule_auto_heal(&self, id: &str) {
        let nsr = match self.nsr(id) {
            Ok(nsr) => nsr,
            Err(err) => return tracing::error!(nsr = %id, error = %chain(&err), "auto-heal"),
        };
        let config = &self.config().watch;
        if !nsr.auto_heal {
            return;
        }
        if nsr.auto_heals >= config.auto_heal_attempts {
            tracing::warn!(nsr = %id, attempts = nsr.auto_heals, "auto-heal gave up: the alarm stays raised");
            return;
        }
        let delay = auto_heal_delay(config, nsr.auto_heals);
        let (nfvo, id) = (self.clone(), id.to_owned());
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            match nfvo.begin_heal(&id, Vec::new(), true) {
                Ok(op) => tracing::info!(nsr = %id, op = %op.id, "auto-heal begun"),
                Err(err) => tracing::warn!(nsr = %id, error = %chain(&err), "auto-heal not begun"),
            }
        });
    }

    /// After a heal, a scale or an update (which re-create VNFC instances): re-reads the NSR's sites
    /// (the watch left the NSR to the operation), and tries the auto-heal again when an
    /// automatic heal failed.
    pub(super) async fn after_op(&self, op: &OpOcc) {
        let op = self.op(&op.id).unwrap_or_else(|_| op.clone());
        let Ok(nsr) = self.nsr(&op.nsr_id) else { return };
        for site in nsr.vnfc_sites() {
            let site = site.as_str();
            let Ok(Some(record)) = self.store().site(site) else { continue };
            match self.vim(&record).containers().await {
                Ok(all) => {
                    if let Err(err) = self.observe(site, &all, true) {
                        tracing::error!(site, error = %chain(&err), "cannot record the heal's outcome");
                    }
                }
                Err(err) => {
                    tracing::warn!(site, reason = %err.reason(), "cannot re-read after a heal")
                }
            }
        }
        let failed = op.state != crate::model::OperationState::Completed;
        if !failed && op.operation.kind() == crate::model::LcmOperation::Heal {
            self.metrics().healed();
        }
        if failed && matches!(op.operation, Operation::Heal { auto: true, .. }) {
            self.schedule_auto_heal(&op.nsr_id);
        }
    }
}

pub(super) async fn forward(run: &mut Run, names: &[String]) -> Result<(), Failure> {
    for name in names {
        recreate(run, name, None).await?;
        // A new container: its scripts bring it up again, then HEAL says why.
        let vnf = run.nsr.vnfcs().find(|(_, v)| &v.name == name).map(|(r, _)| r.name.clone());
        if let Some(vnf) = vnf {
            lifecycle::bring_up(run, &vnf, &[name.as_str()]).await?;
            lifecycle::event(run, &vnf, name, "HEAL", &BTreeMap::new()).await?;
        }
        // Its alarm clears once it is up, scripts and all: a heal that fails leaves it raised.
        clear_alarms(run, name)?;
    }
    watch::refresh_health(&mut run.nsr, ids::now());
    run.nsr.error = None;
    run.save()
}

/// Clears the raised alarms of VNFC instance `name`, now up again, and says so.
pub(super) fn clear_alarms(run: &mut Run, name: &str) -> Result<(), Failure> {
    let cleared = watch::clear_alarms(&mut run.nsr.alarms, name, ids::now());
    run.save()?;
    for alarm in &cleared {
        watch::alarm_changed(run.nfvo.events(), &run.nsr, alarm);
    }
    Ok(())
}

/// Deletes VNFC instance `name`'s container and makes it again at its site with its name and
/// addresses, gives it `metadata` (default: what it had) and starts it. The record takes the
/// new metadata and says it is being re-created before the container goes: cut short, by a
/// failure or a stop, the instance is made again by a scale's
/// [`super::scale::restart_stale`] (the rollback's included).
pub(super) async fn recreate(
    run: &mut Run,
    name: &str,
    metadata: Option<&BTreeMap<String, String>>,
) -> Result<(), Failure> {
    let found = run.nsr.vnfcs().find(|(_, v)| v.name == name);
    let Some((vnf, vnfc)) = found.map(|(r, v)| (r.name.clone(), v.clone())) else {
        return Err(run.failure(format!("no VNFC instance {name}")));
    };
    let metadata = metadata.unwrap_or(&vnfc.metadata).clone();
    set_vnfc(run, name, |v| {
        v.metadata.clone_from(&metadata);
        v.recreating = true;
    });
    run.save()?;
    let site = vnfc.site.clone();
    let at = format!("container {name} at site {site}");
    let vim = run.vim(&site)?;
    run.step(Step::Delete, Some(at.clone()))?;
    let deleted = vim.delete_container(name).await;
    deleted.map_err(|err| run.failure(format!("delete {at}: {}", err.reason())))?;

    run.step(Step::Allocate, Some(at.clone()))?;
    let image = run
        .nsd
        .vnfd_named(&vnf)
        .and_then(|vnfd| vnfd.vdu.get(vnfc.vdu))
        .and_then(|vdu| vdu.vm_image.first())
        .cloned()
        .ok_or_else(|| run.failure(format!("VNF {vnf} has no image for VDU {}", vnfc.vdu)))?;
    let mut networks = Vec::new();
    let mut addresses = BTreeMap::new();
    for (link, address) in &vnfc.addresses {
        let network = run.nsr.network(&site, link).ok_or_else(|| {
            run.failure(format!("virtual link {link} has no network at site {site}"))
        })?;
        networks.push(network.name.clone());
        addresses.insert(network.name.clone(), address.clone());
    }
    let row = run
        .resources()?
        .into_iter()
        .find(|r| r.kind == ResourceKind::Container && r.site == site && r.name == name);
    let seq = match row {
        Some(row) => row.seq,
        None => run.intend(&site, ResourceKind::Container, name)?,
    };
    let spec = ContainerSpec { name: name.to_owned(), image, networks, addresses };
    let created = vim.create_container(&spec).await;
    let created = created.map_err(|err| run.failure(format!("create {at}: {}", err.reason())))?;
    run.made(seq, &created.id)?;
    set_vnfc(run, name, |v| {
        v.pop_id.clone_from(&created.id);
        v.pop_status.clone_from(&created.status);
    });
    run.save()?;

    run.step(Step::Modify, Some(format!("metadata of {name}")))?;
    let mut entries = metadata;
    entries.extend(own_metadata(&vnfc));
    let set = vim.set_metadata(name, &entries).await;
    set.map_err(|err| run.failure(format!("set the metadata of {at}: {}", err.reason())))?;

    run.step(Step::Start, Some(at.clone()))?;
    let started = vim.start(name).await;
    let started = started.map_err(|err| run.failure(format!("start {at}: {}", err.reason())))?;
    let now = ids::now();
    set_vnfc(run, name, |v| v.pop_status.clone_from(&started.status));
    if started.status != "RUNNING" {
        run.save()?;
        return Err(run.failure(format!("{at} is {} after start, not RUNNING", started.status)));
    }
    set_vnfc(run, name, |v| {
        v.health = Health::new(HealthState::Healthy, None, now);
        v.recreating = false;
    });
    run.save()
}

fn set_vnfc(run: &mut Run, name: &str, change: impl FnOnce(&mut crate::model::VnfcInstance)) {
    let vnfc = run.nsr.vnfrs.iter_mut().flat_map(|r| r.vnfcs.iter_mut()).find(|v| v.name == name);
    if let Some(vnfc) = vnfc {
        change(vnfc);
    }
}
