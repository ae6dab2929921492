//! Scale a VNF out or in, within its first VDU's `scale_in_out`: a new instance goes through
//! allocate, check, modify (the full configuration) and start, on the site asked for (its
//! virtual links are extended to it); scaling in removes the newest instances, and a site left
//! with no instance of an extended link leaves the extension. Afterwards every VNF record holds
//! the metadata a new instance of it would receive, and the started instances of the targets
//! of a scaled source are re-created with it (same names and addresses; sources first), since a
//! started workload's environment cannot change: they see the new `_LIST`. A target with a VNF
//! package is told by its scripts instead (Open Baton's way): SCALE_OUT (or CONFIGURE when it has
//! none) with each new instance's parameters, SCALE_IN with each removed one's; a removed
//! instance runs its TERMINATE scripts first. A scale also makes again any instance its site
//! lost, and its rollback makes again what its re-creations had taken down. It begins by finishing
//! the deletions a failed scale left; after a failed terminate or instantiation it is refused.

use std::collections::BTreeMap;

use super::deps::metadata_for;
use super::heal;
use super::lifecycle;
use super::links;
use super::run::Run;
use super::vnfm;
use crate::model::{Failure, Status, Step, VnfcInstance};
use crate::store::{Resource, ResourceKind};

pub(super) async fn forward(
    run: &mut Run,
    vnf: &str,
    instances: u32,
    site: Option<&str>,
) -> Result<(), Failure> {
    // What a failed scale was removing goes first: an instance it had stopped is not counted.
    run.finish_deletions().await?;
    let Some(vnfr) = run.nsr.vnfr(vnf) else {
        return Err(run.failure(format!("no VNF record {vnf}")));
    };
    let site = site.unwrap_or(&vnfr.site).to_owned();
    let mut current: Vec<&VnfcInstance> = vnfr.vnfcs.iter().filter(|v| v.vdu == 0).collect();
    current.sort_by_key(|vnfc| vnfc.index);
    let count = current.len();
    let wanted = instances as usize;
    if wanted > count {
        scale_out(run, vnf, wanted - count, &site).await?;
    } else if wanted < count {
        let doomed: Vec<VnfcInstance> = current[wanted..].iter().map(|&v| v.clone()).collect();
        for vnfc in &doomed {
            lifecycle::event(run, vnf, &vnfc.name, "TERMINATE", &BTreeMap::new()).await?;
        }
        let sites_names = doomed.iter().map(|v| (v.site.clone(), v.name.clone())).collect();
        scale_in(run, sites_names).await?;
        lifecycle::tell_targets(run, vnf, &doomed, "SCALE_IN").await?;
    }
    refresh_metadata(run);
    restart_stale(run, None).await?;
    if let Some(vnfr) = run.nsr.vnfr_mut(vnf) {
        vnfr.status = Status::Active;
    }
    run.nsr.status = Status::Active;
    run.nsr.error = None;
    run.save()
}

async fn scale_out(run: &mut Run, vnf: &str, more: usize, site: &str) -> Result<(), Failure> {
    let links: Vec<String> = run
        .nsd
        .vnfd_named(vnf)
        .and_then(|vnfd| vnfd.vdu.first())
        .and_then(|vdu| vdu.vnfc.first())
        .map(|vnfc| {
            vnfc.connection_point.iter().map(|cp| cp.virtual_link_reference.clone()).collect()
        })
        .unwrap_or_default();
    run.step(Step::Allocate, None)?;
    let mut made = Vec::new();
    for _ in 0..more {
        made.push(vnfm::allocate(run, vnf, 0, &links, site).await?);
    }
    vnfm::check(run, &made).await?;
    let names = vnfm::of_vnf(&made, vnf);
    vnfm::modify(run, vnf, &names).await?;
    vnfm::start(run, vnf, &names).await?;
    lifecycle::bring_up(run, vnf, &names).await?;
    let new: Vec<VnfcInstance> = run.nsr.vnfr(vnf).map_or(Vec::new(), |vnfr| {
        vnfr.vnfcs.iter().filter(|v| names.contains(&v.name.as_str())).cloned().collect()
    });
    lifecycle::tell_targets(run, vnf, &new, "SCALE_OUT").await
}

/// Deletes the newest instances, `(site, container name)`, then the memberships of the sites
/// they leave empty.
async fn scale_in(run: &mut Run, doomed: Vec<(String, String)>) -> Result<(), Failure> {
    let names: Vec<&str> = doomed.iter().map(|(_, name)| name.as_str()).collect();
    run.step(Step::Delete, Some(format!("containers {}", names.join(", "))))?;
    let rows: Vec<Resource> = run
        .resources()?
        .into_iter()
        .filter(|r| {
            r.kind == ResourceKind::Container
                && doomed.iter().any(|(site, name)| &r.site == site && &r.name == name)
        })
        .collect();
    run.delete(rows).await?;
    let emptied = links::emptied(run, &run.resources()?);
    if emptied.is_empty() {
        return Ok(());
    }
    let sites: Vec<&str> = emptied.iter().map(|r| r.site.as_str()).collect();
    run.step(Step::Extend, Some(format!("sites {} leave the extensions", sites.join(", "))))?;
    run.delete(emptied).await
}

/// Re-creates, in dependency order, every started VNFC instance whose metadata is no longer
/// what its VNF's instances receive, but those of VNFs with scripts, which their scripts told;
/// VNF `changed`'s own are re-created even so, and brought up by their scripts again. An
/// instance whose re-creation was cut short (its site may still be deleting the old
/// container), or that its site no longer holds or holds unstarted, is made again too, with
/// what it had when scripts tell its VNF: the service this leaves ACTIVE has every instance
/// running.
pub(super) async fn restart_stale(run: &mut Run, changed: Option<&str>) -> Result<(), Failure> {
    let at_sites = site_states(run).await;
    let order: Vec<String> =
        run.nsd.dependency_order().into_iter().map(|vnfd| vnfd.name.clone()).collect();
    for vnf in order {
        let told = run.scripts.contains_key(&vnf) && changed != Some(vnf.as_str());
        let Some(vnfr) = run.nsr.vnfr(&vnf) else { continue };
        let metadata = vnfr.metadata.clone();
        let again: Vec<String> = vnfr
            .vnfcs
            .iter()
            .filter(|v| {
                let unstarted = match at_sites.get(&v.site) {
                    Some(held) => held.get(&v.name).is_none_or(|status| status == "CREATED"),
                    None => false,
                };
                let stale = !told && v.metadata != metadata && v.pop_status != "CREATED";
                v.recreating || unstarted || stale
            })
            .map(|v| v.name.clone())
            .collect();
        for name in again {
            heal::recreate(run, &name, (!told).then_some(&metadata)).await?;
            if run.scripts.contains_key(&vnf) {
                lifecycle::bring_up(run, &vnf, &[name.as_str()]).await?;
            }
            heal::clear_alarms(run, &name)?;
        }
    }
    Ok(())
}

/// What each site of the NSR holds, container name -> status; a site that does not answer is
/// left out (its instances are taken as they are recorded).
async fn site_states(run: &Run) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut states = BTreeMap::new();
    for site in run.nsr.vnfc_sites() {
        let Ok(vim) = run.vim(&site) else { continue };
        match vim.containers().await {
            Ok(held) => {
                let held = held.into_iter().map(|c| (c.name, c.status)).collect();
                states.insert(site, held);
            }
            Err(err) => {
                tracing::warn!(op = %run.op.id, site, reason = %err.reason(), "cannot list the site's containers: its instances are taken as recorded");
            }
        }
    }
    states
}

/// After a scale's rollback: the instances a re-creation had deleted or changed are made again
/// with the metadata of what is left, so that an instance that was there before the scale is
/// there after it.
pub(super) async fn restore(run: &mut Run) -> Result<(), Failure> {
    refresh_metadata(run);
    restart_stale(run, None).await
}

/// Records on every VNF record the metadata a new instance of it would receive now.
pub(super) fn refresh_metadata(run: &mut Run) {
    let fresh: Vec<_> = run
        .nsd
        .vnfd()
        .iter()
        .map(|vnfd| (vnfd.name.clone(), metadata_for(&run.nsd, vnfd, &run.nsr)))
        .collect();
    for (vnf, metadata) in fresh {
        if let Some(vnfr) = run.nsr.vnfr_mut(&vnf) {
            vnfr.metadata = metadata;
        }
    }
}
