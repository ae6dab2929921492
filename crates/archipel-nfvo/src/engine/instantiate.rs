//! Instantiate (thesis Figure 4.13): networks, allocate every VNFC, check, modify with the
//! resolved dependencies, start in dependency order, ACTIVE.

use std::collections::{BTreeMap, BTreeSet};

use super::run::Run;
use super::vnfm::{self, Made};
use crate::model::{Failure, Status, Vnfr};

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
            next_index: 0,
            vnfcs: Vec::new(),
        });
    }
    run.nsr.vnfrs = vnfrs;
    run.save()?;

    // One network per virtual link per site that has a VNFC on it, in the NSD's vld order.
    let mut needed = BTreeSet::new();
    for vnfd in run.nsd.vnfd() {
        for link in vnfd.attached_links() {
            let order = run.nsd.vld().iter().position(|vld| vld.name == link);
            needed.insert((order, link.to_owned(), placement[&vnfd.name].clone()));
        }
    }
    run.step("networks", None)?;
    for (_, link, site) in needed {
        vnfm::ensure_network(run, &site, &link).await?;
    }

    // Every VNFC first, so every address is known before anything is configured.
    run.step("allocate", None)?;
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
        made.push(vnfm::allocate(run, &vnf, vdu, &links).await?);
    }
    vnfm::check(run, &made).await?;

    let order: Vec<String> =
        run.nsd.dependency_order().into_iter().map(|vnfd| vnfd.name.clone()).collect();
    for vnf in &order {
        vnfm::modify(run, vnf, &vnfm::of_vnf(&made, vnf)).await?;
    }
    // Sources before their targets.
    for vnf in &order {
        vnfm::start(run, vnf, &vnfm::of_vnf(&made, vnf)).await?;
        if let Some(vnfr) = run.nsr.vnfr_mut(vnf) {
            vnfr.status = Status::Active;
        }
    }
    run.nsr.status = Status::Active;
    run.save()
}
