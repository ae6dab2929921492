//! What a VNFC instance receives as metadata (thesis 4.6.4, Modify): its VNF's configuration
//! parameters, and every dependency whose target is its VNF resolved against the source's
//! instances.

use std::collections::BTreeMap;

use crate::catalogue::{metadata_key, Nsd, ParameterKind, Vnfd};
use crate::model::{Nsr, VnfcInstance, Vnfr};

/// The metadata of a VNFC instance of `vnfd` in `nsr` as it is now.
///
/// For a dependency parameter `p` of source type `t`, the key `UPPER(t_p)` holds the value of
/// the source's first instance (lowest index) and `UPPER(t_p)_LIST` the values of every source
/// instance in index order, joined by commas; the `_LIST` key is always set, so a workload can
/// rely on it however many sources there are. A virtual-link parameter is the source's address
/// on that link, `hostname` the source's container name, any other the source's configuration
/// value (an NS update's over the descriptor's). Dependency keys win over configuration keys of
/// the same name.
pub fn metadata_for(nsd: &Nsd, vnfd: &Vnfd, nsr: &Nsr) -> BTreeMap<String, String> {
    let mut metadata: BTreeMap<String, String> =
        vnfd.configurations.iter().map(|c| (c.conf_key.clone(), c.value.clone())).collect();
    if let Some(vnfr) = nsr.vnfr(&vnfd.name) {
        metadata.extend(vnfr.configuration.clone());
    }
    for dependency in nsd.dependencies_of(&vnfd.name) {
        let (Some(source), Some(vnfr)) =
            (nsd.vnfd_named(&dependency.source), nsr.vnfr(&dependency.source))
        else {
            continue;
        };
        let mut instances: Vec<&VnfcInstance> = vnfr.vnfcs.iter().collect();
        instances.sort_by_key(|vnfc| vnfc.index);
        for parameter in &dependency.parameters {
            let values: Vec<String> =
                instances.iter().filter_map(|vnfc| value(source, vnfr, vnfc, parameter)).collect();
            let Some(first) = values.first() else {
                continue;
            };
            let key = metadata_key(&source.vnf_type, parameter);
            metadata.insert(format!("{key}_LIST"), values.join(","));
            metadata.insert(key, first.clone());
        }
    }
    metadata
}

/// What a VNFC instance receives about itself, besides its VNF's metadata: `SELF_HOSTNAME`,
/// its container's name (which the other VNFCs of its site resolve), and `SELF_<LINK>`, its
/// address on each virtual link, named as a dependency names a source's (`SERVER_PRIVATE`).
pub fn own_metadata(vnfc: &VnfcInstance) -> BTreeMap<String, String> {
    let mut own: BTreeMap<String, String> = vnfc
        .addresses
        .iter()
        .map(|(link, address)| (variable(&metadata_key("self", link)), address.clone()))
        .collect();
    own.insert(metadata_key("self", "hostname"), vnfc.name.clone());
    own
}

/// A name as an environment variable may hold it: other characters become `_` (a link may be
/// `mgmt-net`), and one starting with a digit gets a `_` first.
pub(super) fn variable(name: &str) -> String {
    let mut variable: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if variable.starts_with(|c: char| c.is_ascii_digit()) {
        variable.insert(0, '_');
    }
    variable
}

/// The value of `parameter` of source instance `vnfc` of VNF `source` (record `vnfr`).
pub(super) fn value(
    source: &Vnfd,
    vnfr: &Vnfr,
    vnfc: &VnfcInstance,
    parameter: &str,
) -> Option<String> {
    match source.parameter_kind(parameter)? {
        ParameterKind::VirtualLink => vnfc.addresses.get(parameter).cloned(),
        ParameterKind::Hostname => Some(vnfc.name.clone()),
        ParameterKind::Configuration => vnfr.configuration.get(parameter).cloned().or_else(|| {
            source.configurations.iter().find(|c| c.conf_key == parameter).map(|c| c.value.clone())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::variable;

    #[test]
    fn names_become_variables() {
        assert_eq!(variable("mgmt-net"), "mgmt_net");
        assert_eq!(variable("5g"), "_5g");
    }
}
