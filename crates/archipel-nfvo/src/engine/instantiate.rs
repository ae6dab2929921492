//! Instantiate (thesis Figure 4.13): networks (extended over the sites a virtual link spans),
//! allocate every VNFC, check, modify with the resolved dependencies, start in dependency
//! order (each VNF's lifecycle scripts run once it started), ACTIVE.

use std::collections::BTreeMap;

use super::lifecycle;
use super::links;
use super::run::Run;
use super::vnfm::{self, Made};
use crate::model::{Failure, Status, Step, Vnfr};

pub(super) async fn forward(
    run: &mut Run,
    placement: &BTreeMap<String, String>,
) -> Result<(), Failure> {
    let mut vnfrs = Vec::new();
    for vnfd in run.nsd.vnfd() {
        let site = placement
            .get(&vnfd.name)
            .ok_or_else(|| run.failure(format!("VNF {} has no site", vnfd.name)))?;
        vnfrs.push(Vnfr {
            name: vnfd.name.clone(),
            vnf_type: vnfd.vnf_type.clone(),
            site: site.clone(),
            status: Status::Initialized,
            scale_in_out: vnfd.vdu.first().map_or(1, |vdu| vdu.scale_in_out),
            metadata: BTreeMap::new(),
            configuration: BTreeMap::new(),
            next_index: 0,
            vnfcs: Vec::new(),
            health: Default::default(),
            provider: vnfd.vendor.clone(),
            version: vnfd.version.clone(),
            package: vnfd.package.clone(),
        });
    }
    run.nsr.vnfrs = vnfrs;
    run.save()?;

    // Every virtual link, in the NSD's vld order, reaches the sites of its VNFCs: its network
    // is made at the site holding most of them and extended over the others.
    let mut instances: BTreeMap<(Option<usize>, String), BTreeMap<String, usize>> = BTreeMap::new();
    for vnfd in run.nsd.vnfd() {
        let site = &placement[&vnfd.name];
        for vnfc in vnfd.vdu.iter().flat_map(|vdu| &vdu.vnfc) {
            for cp in &vnfc.connection_point {
                let link = cp.virtual_link_reference.clone();
                let order = run.nsd.vld().iter().position(|vld| vld.name == link);
                *instances.entry((order, link)).or_default().entry(site.clone()).or_default() += 1;
            }
        }
    }
    run.step(Step::Networks, None)?;
    for ((_, link), counts) in instances {
        let mut sites: Vec<(usize, String)> =
            counts.into_iter().map(|(site, n)| (n, site)).collect();
        sites.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let sites: Vec<String> = sites.into_iter().map(|(_, site)| site).collect();
        links::reach(run, &link, &sites).await?;
    }

    // Every VNFC first, so every address is known before anything is configured.
    run.step(Step::Allocate, None)?;
    let mut made: Vec<Made> = Vec::new();
    let templates: Vec<(String, usize, Vec<String>)> = run
        .nsd
        .vnfd()
        .iter()
        .flat_map(|vnfd| {
            vnfd.vdu.iter().enumerate().flat_map(move |(i, vdu)| {
                vdu.vnfc.iter().map(move |vnfc| {
                    let links = vnfc
                        .connection_point
                        .iter()
                        .map(|cp| cp.virtual_link_reference.clone())
                        .collect();
                    (vnfd.name.clone(), i, links)
                })
            })
        })
        .collect();
    for (vnf, vdu, links) in templates {
        let site = placement[&vnf].clone();
        made.push(vnfm::allocate(run, &vnf, vdu, &links, &site).await?);
    }
    vnfm::check(run, &made).await?;

    let order: Vec<String> =
        run.nsd.dependency_order().into_iter().map(|vnfd| vnfd.name.clone()).collect();
    for vnf in &order {
        vnfm::modify(run, vnf, &vnfm::of_vnf(&made, vnf)).await?;
    }
    // Sources before their targets, each with its scripts run before the next starts.
    for vnf in &order {
        let names = vnfm::of_vnf(&made, vnf);
        vnfm::start(run, vnf, &names).await?;
        lifecycle::bring_up(run, vnf, &names).await?;
        if let Some(vnfr) = run.nsr.vnfr_mut(vnf) {
            vnfr.status = Status::Active;
        }
    }
    run.nsr.status = Status::Active;
    run.save()
}
