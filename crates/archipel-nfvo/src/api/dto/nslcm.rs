use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{HealthInfo, Link};
use crate::ids;
use crate::model::{ExtensionRecord, Failure, NetworkRecord, Nsr, Status, VnfcInstance, Vnfr};

/// A network service to create from an onboarded NSD (SOL005 `CreateNsRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateNsRequest {
    /// The id of an onboarded NSD.
    pub nsd_id: String,
    /// Default: the NSD's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns_description: Option<String>,
}

/// How to instantiate: where each VNF goes. A VNF not named here goes to the first registered
/// site its VDUs' `vimInstanceName` names, else to the only registered site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstantiateNsRequest {
    /// VNF name -> site name.
    #[serde(default)]
    pub placement: BTreeMap<String, String>,
    /// Archipel: heal a failed VNFC instance without an operator (a bounded number of times).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_heal: bool,
}

/// Scale one VNF to a number of VNFC instances (of its first VDU), within its `scale_in_out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleNsRequest {
    /// The VNFD name of the VNF.
    pub vnf_name: String,
    /// At least 1, at most the VDU's `scale_in_out`.
    #[schema(minimum = 1, maximum = 4294967295_u64)]
    #[serde(deserialize_with = "whole_number")]
    pub number_of_instances: u32,
    /// The site new instances go to; default: the site the VNF was placed on. Virtual links of
    /// the VNF are extended to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vim_id: Option<String>,
}

/// A count, also written as a float with no fraction (`3.0`), which JSON Schema's integer allows.
// The cast is exact: the fraction and the range are checked first.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let n = f64::deserialize(deserializer)?;
    if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
        Ok(n as u32)
    } else {
        Err(serde::de::Error::custom(format!("{n} is not a whole number from 0 to {}", u32::MAX)))
    }
}

/// Terminate takes no parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateNsRequest {}

/// Where an operation failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FailureInfo {
    pub step: String,
    pub reason: String,
}

impl From<Failure> for FailureInfo {
    fn from(f: Failure) -> Self {
        Self { step: f.step.to_string(), reason: f.reason }
    }
}

/// A network-service instance: SOL005's `NsInstance` with Open Baton's NSR status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NsInstance {
    pub id: String,
    pub ns_instance_name: String,
    pub ns_instance_description: String,
    pub nsd_id: String,
    pub nsd_name: String,
    /// `INSTANTIATED` while it holds containers or networks at its sites.
    pub ns_state: String,
    /// Open Baton's status: NULL, INITIALIZED, ACTIVE, SCALING, ERROR, TERMINATED.
    pub status: String,
    /// The last failure: while the status is ERROR, or of a heal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<FailureInfo>,
    /// The worst health of its VNFC instances.
    pub health: HealthInfo,
    /// Archipel: whether a failed VNFC instance is healed without an operator.
    pub auto_heal: bool,
    pub vnf_instance: Vec<VnfInstance>,
    /// The Pop network of each virtual link at each site.
    pub virtual_link_info: Vec<NetworkInfo>,
    /// The L2 extensions of the virtual links that span sites.
    pub extension_info: Vec<ExtensionInfo>,
    /// RFC 3339.
    pub created_at: String,
    #[serde(rename = "_links")]
    pub links: NsLinks,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NsLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
    pub instantiate: Link,
    pub scale: Link,
    pub heal: Link,
    pub terminate: Link,
}

/// A VNF record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VnfInstance {
    /// The VNFD's name.
    pub vnfd_id: String,
    pub vnf_type: String,
    /// The site it is placed on.
    pub vim_id: String,
    pub status: String,
    pub scale_in_out: u32,
    /// What a new VNFC instance of it receives now: configuration and resolved dependencies.
    pub metadata: BTreeMap<String, String>,
    pub vnfc_instances: Vec<VnfcInfo>,
    pub health: HealthInfo,
}

/// A VNFC instance: one Pop container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VnfcInfo {
    pub index: u32,
    pub vdu: u32,
    /// The Pop container's name, also its hostname.
    pub name: String,
    /// The site it runs on.
    pub vim_id: String,
    pub pop_id: String,
    /// Virtual link name -> IPv4 address.
    pub addresses: BTreeMap<String, String>,
    /// The metadata it was given before it started.
    pub metadata: BTreeMap<String, String>,
    /// The Pop container's status when last seen by the NFVO.
    pub pop_status: String,
    pub health: HealthInfo,
}

/// The Pop network of a virtual link at a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInfo {
    pub virtual_link: String,
    pub vim_id: String,
    pub name: String,
    /// Empty for a network that the site's agent made for an extension.
    pub pop_id: String,
    pub subnet: String,
    /// The global id of the L2 extension it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_id: Option<String>,
}

/// A virtual link stretched over several sites by an L2 extension (an inter-site service of
/// the master site's agent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionInfo {
    pub virtual_link: String,
    /// The Pop network's name, the same at every site.
    pub network: String,
    /// The site whose agent masters the extension.
    pub master_vim_id: String,
    /// The inter-site service's global id at the agents.
    pub global_id: String,
    pub vim_ids: Vec<String>,
}

impl From<ExtensionRecord> for ExtensionInfo {
    fn from(e: ExtensionRecord) -> Self {
        Self {
            virtual_link: e.virtual_link,
            network: e.network,
            master_vim_id: e.master,
            global_id: e.global_id,
            vim_ids: e.sites,
        }
    }
}

impl From<Nsr> for NsInstance {
    fn from(nsr: Nsr) -> Self {
        // SOL005: INSTANTIATED once the instantiate operation has completed, not while it runs
        // (the record holds containers from its first step); an NS that failed later still
        // holds what it made, and stays INSTANTIATED until terminated.
        let holds = !nsr.networks.is_empty() || nsr.vnfcs().next().is_some();
        let instantiated = match nsr.status {
            Status::Null | Status::Initialized | Status::Terminated => false,
            Status::Active | Status::Scaling => true,
            Status::Error => holds,
        };
        let href = format!("/nslcm/v1/ns_instances/{}", nsr.id);
        let link = |action: &str| Link::to(format!("{href}/{action}"));
        Self {
            links: NsLinks {
                instantiate: link("instantiate"),
                scale: link("scale"),
                heal: link("heal"),
                terminate: link("terminate"),
                self_link: Link::to(href.clone()),
            },
            id: nsr.id,
            ns_instance_name: nsr.name,
            ns_instance_description: nsr.description,
            nsd_id: nsr.nsd_id,
            nsd_name: nsr.nsd_name,
            ns_state: if instantiated { "INSTANTIATED" } else { "NOT_INSTANTIATED" }.to_owned(),
            status: status(nsr.status),
            error: nsr.error.map(FailureInfo::from),
            health: nsr.health.into(),
            auto_heal: nsr.auto_heal,
            vnf_instance: nsr.vnfrs.into_iter().map(VnfInstance::from).collect(),
            virtual_link_info: nsr
                .networks
                .into_iter()
                .map(|n| {
                    let extension =
                        nsr.extensions.iter().find(|e| e.virtual_link == n.virtual_link);
                    NetworkInfo::new(n, extension.map(|e| e.global_id.clone()))
                })
                .collect(),
            extension_info: nsr.extensions.into_iter().map(ExtensionInfo::from).collect(),
            created_at: ids::rfc3339(nsr.created),
        }
    }
}

fn status(status: Status) -> String {
    status.as_str().to_owned()
}

impl From<Vnfr> for VnfInstance {
    fn from(v: Vnfr) -> Self {
        Self {
            vnfd_id: v.name,
            vnf_type: v.vnf_type,
            vim_id: v.site,
            status: status(v.status),
            scale_in_out: v.scale_in_out,
            metadata: v.metadata,
            vnfc_instances: v.vnfcs.into_iter().map(VnfcInfo::from).collect(),
            health: v.health.into(),
        }
    }
}

impl From<VnfcInstance> for VnfcInfo {
    fn from(v: VnfcInstance) -> Self {
        Self {
            index: v.index,
            vdu: u32::try_from(v.vdu).unwrap_or(u32::MAX),
            name: v.name,
            vim_id: v.site,
            pop_id: v.pop_id,
            addresses: v.addresses,
            metadata: v.metadata,
            pop_status: v.pop_status,
            health: v.health.into(),
        }
    }
}

impl NetworkInfo {
    /// The network of a virtual link, part of the extension `extension_id` when it has one.
    fn new(n: NetworkRecord, extension_id: Option<String>) -> Self {
        Self {
            virtual_link: n.virtual_link,
            vim_id: n.site,
            name: n.name,
            pop_id: n.pop_id,
            subnet: n.subnet.to_string(),
            extension_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record holding one network, in `status`.
    fn nsr(status: &str) -> Nsr {
        serde_json::from_value(serde_json::json!({
            "id": "0123456789", "name": "ns", "description": "", "nsd_id": "n", "nsd_name": "n",
            "status": status, "error": null, "vnfrs": [], "created": 0,
            "networks": [{"virtual_link": "private", "site": "a", "name": "private-01234567",
                          "pop_id": "p", "subnet": "10.0.0.0/24"}]
        }))
        .unwrap()
    }

    #[test]
    fn an_ns_is_instantiated_once_its_instantiation_completed() {
        for (status, state) in [
            ("INITIALIZED", "NOT_INSTANTIATED"),
            ("ACTIVE", "INSTANTIATED"),
            ("SCALING", "INSTANTIATED"),
            ("ERROR", "INSTANTIATED"),
        ] {
            assert_eq!(NsInstance::from(nsr(status)).ns_state, state, "{status}");
        }
    }
}
