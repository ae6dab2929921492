//! Which site each VNF goes to: the request's placement, else the first registered site its
//! VDUs' `vimInstanceName` names, else the only registered site.

use std::collections::BTreeMap;

use crate::catalogue::Nsd;
use crate::error::NfvoError;
use crate::model::Site;

/// VNF name -> site name for every VNF of `nsd`.
pub(super) fn place(
    nsd: &Nsd,
    requested: &BTreeMap<String, String>,
    sites: &[Site],
) -> Result<BTreeMap<String, String>, NfvoError> {
    if let Some(unknown) = requested.keys().find(|vnf| nsd.vnfd_named(vnf).is_none()) {
        return Err(NfvoError::InvalidRequest {
            reason: format!("the placement names VNF {unknown}, which the NSD does not have"),
        });
    }
    let registered = |name: &str| sites.iter().any(|site| site.name == name);
    let mut placement = BTreeMap::new();
    for vnfd in nsd.vnfd() {
        let fail = |reason: String| NfvoError::Placement { vnf: vnfd.name.clone(), reason };
        let site = if let Some(site) = requested.get(&vnfd.name) {
            if !registered(site) {
                return Err(fail(format!(
                    "the placement names site {site}, which is not registered"
                )));
            }
            site.clone()
        } else if let Some(names) =
            vnfd.vdu.iter().map(|vdu| &vdu.vim_instance_name).find(|names| !names.is_empty())
        {
            names.iter().find(|name| registered(name)).cloned().ok_or_else(|| {
                fail(format!(
                    "its vimInstanceName names {}, none of them registered",
                    names.join(", ")
                ))
            })?
        } else {
            match sites {
                [only] => only.name.clone(),
                [] => return Err(fail("no site is registered".to_owned())),
                several => {
                    let names: Vec<&str> = several.iter().map(|s| s.name.as_str()).collect();
                    return Err(fail(format!(
                        "sites {} are registered: the request's placement must choose one",
                        names.join(", ")
                    )));
                }
            }
        };
        placement.insert(vnfd.name.clone(), site);
    }
    Ok(placement)
}
