//! The generic VNFM's steps on VNFC instances (thesis 4.6.4 and Figure 4.13): allocate (Pop
//! Create: addresses are known, nothing runs), check, modify (Pop Metadata), start.

use std::collections::BTreeMap;

use super::deps::{metadata_for, own_metadata};
use super::links;
use super::run::Run;
use crate::ids;
use crate::model::{Failure, Step, VnfcInstance};
use crate::store::ResourceKind;
use crate::vim::ContainerSpec;

/// A VNFC instance made by this operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Made {
    pub vnf: String,
    /// Its container's name.
    pub name: String,
}

/// Creates one VNFC instance of VDU `vdu` of VNF `vnf` at `site`, attached to `links`, which
/// are made to reach the site first.
pub(super) async fn allocate(
    run: &mut Run,
    vnf: &str,
    vdu: usize,
    links: &[String],
    site: &str,
) -> Result<Made, Failure> {
    let image = run
        .nsd
        .vnfd_named(vnf)
        .and_then(|vnfd| vnfd.vdu.get(vdu))
        .and_then(|vdu| vdu.vm_image.first())
        .cloned()
        .ok_or_else(|| run.failure(format!("VNF {vnf} has no image for VDU {vdu}")))?;
    let vnfr = run
        .nsr
        .vnfr_mut(vnf)
        .ok_or_else(|| Failure { step: Step::Allocate, reason: format!("no VNF record {vnf}") })?;
    let index = vnfr.next_index;
    vnfr.next_index += 1;
    let site = site.to_owned();
    run.save()?;
    for link in links {
        links::reach(run, link, std::slice::from_ref(&site)).await?;
    }
    let name = format!("{vnf}-{}-{index}", ids::short(&run.nsr.id));
    run.step(Step::Allocate, Some(format!("container {name} at site {site}")))?;
    let networks: Vec<String> = links
        .iter()
        .filter_map(|link| run.nsr.network(&site, link).map(|n| n.name.clone()))
        .collect();
    let seq = run.intend(&site, ResourceKind::Container, &name)?;
    let spec = ContainerSpec { name: name.clone(), image, networks, addresses: BTreeMap::new() };
    let vim = run.vim(&site)?;
    let created = vim.create_container(&spec).await.map_err(|err| {
        run.failure(format!("create container {name} at site {site}: {}", err.reason()))
    })?;
    run.made(seq, &created.id)?;
    let addresses: BTreeMap<String, String> = links
        .iter()
        .filter_map(|link| {
            let network = run.nsr.network(&site, link)?;
            Some((link.clone(), created.addresses.get(&network.name)?.clone()))
        })
        .collect();
    let vnfc = VnfcInstance {
        index,
        vdu,
        name: name.clone(),
        site: site.clone(),
        pop_id: created.id,
        addresses,
        metadata: BTreeMap::new(),
        pop_status: created.status,
        health: Default::default(),
        recreating: false,
    };
    if let Some(vnfr) = run.nsr.vnfr_mut(vnf) {
        vnfr.vnfcs.push(vnfc);
    }
    run.save()?;
    Ok(Made { vnf: vnf.to_owned(), name })
}

/// Checks that every instance is at its site, CREATED.
pub(super) async fn check(run: &mut Run, made: &[Made]) -> Result<(), Failure> {
    run.step(Step::Check, None)?;
    let mut by_site: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for Made { vnf, name } in made {
        if let Some(site) = site_of(run, vnf, name) {
            by_site.entry(site).or_default().push(name);
        }
    }
    for (site, names) in by_site {
        let vim = run.vim(&site)?;
        let listed = vim.containers().await.map_err(|err| {
            run.failure(format!("list containers at site {site}: {}", err.reason()))
        })?;
        for name in names {
            match listed.iter().find(|c| c.name == name) {
                Some(c) if c.status == "CREATED" => {}
                Some(c) => {
                    return Err(
                        run.failure(format!("container {name} is {}, not CREATED", c.status))
                    )
                }
                None => return Err(run.failure(format!("container {name} is not at site {site}"))),
            }
        }
    }
    Ok(())
}

/// Gives VNF `vnf`'s instances `names` the metadata its VNF receives now, and each its own
/// name and addresses.
pub(super) async fn modify(run: &mut Run, vnf: &str, names: &[&str]) -> Result<(), Failure> {
    let Some(vnfd) = run.nsd.vnfd_named(vnf) else {
        return Err(run.failure(format!("the NSD has no VNFD {vnf}")));
    };
    let metadata = metadata_for(&run.nsd, vnfd, &run.nsr);
    for name in names {
        let Some(site) = site_of(run, vnf, name) else {
            return Err(run.failure(format!("no VNFC instance {name} of VNF {vnf}")));
        };
        let vim = run.vim(&site)?;
        run.step(Step::Modify, Some(format!("metadata of {name}")))?;
        let mut entries = metadata.clone();
        if let Some(vnfc) = vnfc_mut(run, vnf, name) {
            entries.extend(own_metadata(vnfc));
        }
        vim.set_metadata(name, &entries).await.map_err(|err| {
            run.failure(format!("set the metadata of {name} at site {site}: {}", err.reason()))
        })?;
        if let Some(vnfc) = vnfc_mut(run, vnf, name) {
            vnfc.metadata = metadata.clone();
        }
    }
    if let Some(vnfr) = run.nsr.vnfr_mut(vnf) {
        vnfr.metadata = metadata;
    }
    run.save()
}

/// Starts VNF `vnf`'s instances `names`; each must then be RUNNING.
pub(super) async fn start(run: &mut Run, vnf: &str, names: &[&str]) -> Result<(), Failure> {
    for name in names {
        let Some(site) = site_of(run, vnf, name) else {
            return Err(run.failure(format!("no VNFC instance {name} of VNF {vnf}")));
        };
        let vim = run.vim(&site)?;
        run.step(Step::Start, Some(format!("container {name} at site {site}")))?;
        let started = vim.start(name).await.map_err(|err| {
            run.failure(format!("start container {name} at site {site}: {}", err.reason()))
        })?;
        if let Some(vnfc) = vnfc_mut(run, vnf, name) {
            vnfc.pop_status = started.status.clone();
        }
        run.save()?;
        if started.status != "RUNNING" {
            return Err(run.failure(format!(
                "container {name} is {} after start, not RUNNING",
                started.status
            )));
        }
    }
    Ok(())
}

/// The site of VNF `vnf`'s instance `name`.
fn site_of(run: &Run, vnf: &str, name: &str) -> Option<String> {
    let vnfr = run.nsr.vnfr(vnf)?;
    vnfr.vnfcs.iter().find(|vnfc| vnfc.name == name).map(|vnfc| vnfc.site.clone())
}

fn vnfc_mut<'a>(run: &'a mut Run, vnf: &str, name: &str) -> Option<&'a mut VnfcInstance> {
    run.nsr.vnfr_mut(vnf)?.vnfcs.iter_mut().find(|vnfc| vnfc.name == name)
}

/// The names of `made` that belong to VNF `vnf`.
pub(super) fn of_vnf<'a>(made: &'a [Made], vnf: &str) -> Vec<&'a str> {
    made.iter().filter(|m| m.vnf == vnf).map(|m| m.name.as_str()).collect()
}
