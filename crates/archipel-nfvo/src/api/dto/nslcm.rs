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

/// How to instantiate (SOL005 `InstantiateNsRequest`): where each VNF goes. A VNF not named
/// goes to the first registered site its VDUs' `vimInstanceName` names, else to the only
/// registered site. The placement and the auto-heal policy may also be given in SOL005's
/// `additionalParamsForNs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstantiateNsRequest {
    /// SOL005's deployment flavour: an Open Baton NSD has one, so any value names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns_flavour_id: Option<String>,
    /// SOL005's instantiation level: taken, with one level only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns_instantiation_level_id: Option<String>,
    /// VNF name -> site name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub placement: BTreeMap<String, String>,
    /// Archipel: heal a failed VNFC instance without an operator (a bounded number of times).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_heal: bool,
    /// SOL005's additional parameters: Archipel's `placement` and `autoHeal`, given there
    /// instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_params_for_ns: Option<NsParams>,
    /// SOL005: when to instantiate; only now (absent, or not in the future) is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// SOL005's lists Archipel does not act on (placement says where VNFs go): taken empty, as
    /// clients' templates send them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub sap_data: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub addpnf_data: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub vnf_instance_data: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub nested_ns_instance_data: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub location_constraints: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub additional_param_for_nested_ns: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub additional_params_for_vnf: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub additional_affinity_or_anti_affinity_rule: Vec<serde_json::Value>,
}

/// Archipel's instantiation parameters inside SOL005's `additionalParamsForNs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NsParams {
    /// VNF name -> site name.
    #[serde(default)]
    pub placement: BTreeMap<String, String>,
    #[serde(default)]
    pub auto_heal: bool,
}

impl InstantiateNsRequest {
    /// The placement and the auto-heal policy, from wherever the request gives them; a
    /// placement given in both places is refused.
    pub fn resolved(self) -> Result<(BTreeMap<String, String>, bool), String> {
        let unused = [
            ("sapData", &self.sap_data),
            ("addpnfData", &self.addpnf_data),
            ("vnfInstanceData", &self.vnf_instance_data),
            ("nestedNsInstanceData", &self.nested_ns_instance_data),
            ("locationConstraints", &self.location_constraints),
            ("additionalParamForNestedNs", &self.additional_param_for_nested_ns),
            ("additionalParamsForVnf", &self.additional_params_for_vnf),
            (
                "additionalAffinityOrAntiAffinityRule",
                &self.additional_affinity_or_anti_affinity_rule,
            ),
        ];
        if let Some((name, _)) = unused.iter().find(|(_, list)| !list.is_empty()) {
            return Err(format!(
                "{name} is not supported: leave it out or empty, and say where each VNF goes with \
                 placement in additionalParamsForNs"
            ));
        }
        let extra = self.additional_params_for_ns.unwrap_or_default();
        if !self.placement.is_empty() && !extra.placement.is_empty() {
            return Err("placement is given twice: give it in additionalParamsForNs or at the \
                        top, not both"
                .to_owned());
        }
        let placement = if self.placement.is_empty() { extra.placement } else { self.placement };
        Ok((placement, self.auto_heal || extra.auto_heal))
    }
}

/// Scale one VNF, in Archipel's form (`vnfName` to `numberOfInstances` of its first VDU,
/// within its `scale_in_out`) or in SOL005's (`scaleType: SCALE_VNF` with one `scaleVnfData`
/// entry, `SCALE_OUT` or `SCALE_IN` by `numberOfSteps` instances).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleNsRequest {
    /// Archipel: the VNFD name of the VNF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnf_name: Option<String>,
    /// Archipel: at least 1, at most the VDU's `scale_in_out`.
    #[schema(minimum = 1, maximum = 4294967295_u64)]
    #[serde(
        default,
        deserialize_with = "some_whole_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub number_of_instances: Option<u32>,
    /// The site new instances go to; default: the site the VNF was placed on. Virtual links of
    /// the VNF are extended to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vim_id: Option<String>,
    /// SOL005: `SCALE_VNF` (an Open Baton NSD defines no NS scaling aspect for `SCALE_NS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_type: Option<String>,
    /// SOL005: the VNF to scale, one entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_vnf_data: Option<Vec<ScaleVnfData>>,
    /// SOL005: when to scale; only now (absent, or not in the future) is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_time: Option<String>,
}

/// SOL005's `ScaleVnfData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleVnfData {
    /// The VNF instance's id: its VNFD name.
    pub vnf_instance_id: String,
    /// `SCALE_OUT` or `SCALE_IN`.
    pub scale_vnf_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_by_step_data: Option<ScaleByStepData>,
}

/// SOL005's `ScaleByStepData`: a step is one VNFC instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleByStepData {
    /// Taken, whatever it names: a VNF scales by one aspect, its first VDU.
    pub aspect_id: String,
    /// Default 1.
    #[schema(minimum = 1, maximum = 4294967295_u64)]
    #[serde(
        default,
        deserialize_with = "some_whole_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub number_of_steps: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub additional_params: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A scale request as the engine takes it: the VNF, by how much, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScaleTarget {
    /// To this many instances.
    To(u32),
    /// This many more.
    Out(u32),
    /// This many fewer.
    In(u32),
}

impl ScaleNsRequest {
    /// The VNF, the change and the site, from either form.
    pub fn resolved(self) -> Result<(String, ScaleTarget, Option<String>), String> {
        match (self.scale_type.as_deref(), self.vnf_name) {
            (None, Some(vnf)) => {
                if self.scale_vnf_data.is_some() {
                    return Err("scaleVnfData comes with scaleType: SCALE_VNF".to_owned());
                }
                let n = self.number_of_instances.ok_or("numberOfInstances is required")?;
                Ok((vnf, ScaleTarget::To(n), self.vim_id))
            }
            (Some("SCALE_VNF"), None) => {
                if self.number_of_instances.is_some() {
                    return Err("numberOfInstances comes with vnfName, not scaleType".to_owned());
                }
                let mut data = self.scale_vnf_data.unwrap_or_default();
                if data.len() != 1 {
                    return Err(format!(
                        "scaleVnfData must hold exactly one entry (it holds {}): scale one VNF \
                         per request",
                        data.len()
                    ));
                }
                let data = data.remove(0);
                let steps = data.scale_by_step_data.and_then(|s| s.number_of_steps).unwrap_or(1);
                if steps == 0 {
                    return Err("numberOfSteps must be at least 1".to_owned());
                }
                let change = match data.scale_vnf_type.as_str() {
                    "SCALE_OUT" => ScaleTarget::Out(steps),
                    "SCALE_IN" => ScaleTarget::In(steps),
                    other => {
                        return Err(format!(
                            "scaleVnfType {other} is not supported: use SCALE_OUT or SCALE_IN"
                        ))
                    }
                };
                Ok((data.vnf_instance_id, change, self.vim_id))
            }
            (Some("SCALE_VNF"), Some(_)) => {
                Err("give either vnfName (Archipel) or scaleType (SOL005), not both".to_owned())
            }
            (Some(other), _) => Err(format!(
                "scaleType {other} is not supported: use SCALE_VNF (an Open Baton NSD has no NS \
                 scaling aspect)"
            )),
            (None, None) => Err("give vnfName and numberOfInstances, or SOL005's scaleType \
                                 SCALE_VNF with scaleVnfData"
                .to_owned()),
        }
    }
}

/// An optional count, also written as a float with no fraction (`3.0`), which JSON Schema's
/// integer allows; null is none.
fn some_whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    Option::<f64>::deserialize(deserializer)?.map(whole).transpose()
}

// The cast is exact: the fraction and the range are checked first.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole<E: serde::de::Error>(n: f64) -> Result<u32, E> {
    if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
        Ok(n as u32)
    } else {
        Err(E::custom(format!("{n} is not a whole number from 0 to {}", u32::MAX)))
    }
}

/// Terminate (SOL005 `TerminateNsRequest`): now; a `terminationTime` is taken when it is not
/// in the future (a scheduled termination is refused).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TerminateNsRequest {
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub termination_time: Option<String>,
}

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
    /// The NSD's id in the catalogue.
    pub nsd_id: String,
    /// SOL005: the NsdInfo it was made from (the same id: an NSD is onboarded in one step).
    pub nsd_info_id: String,
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
    /// Left out under `exclude_default`, as are the next two.
    #[serde(default)]
    pub vnf_instance: Vec<VnfInstance>,
    /// The Pop network of each virtual link at each site.
    #[serde(default)]
    pub virtual_link_info: Vec<NetworkInfo>,
    /// The L2 extensions of the virtual links that span sites.
    #[serde(default)]
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

/// A VNF record (SOL005 `VnfInstance`, with Open Baton's VNFR status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VnfInstance {
    /// Its id within the network service: its VNFD's name.
    pub id: String,
    /// The VNFD's name.
    pub vnfd_id: String,
    /// The VNFD's `vendor`.
    pub vnf_provider: String,
    /// The VNFD's name.
    pub vnf_product_name: String,
    /// The VNFD's `version`.
    pub vnf_software_version: String,
    /// The VNFD's `version`.
    pub vnfd_version: String,
    /// The VNF package its lifecycle scripts come from: an uploaded package's id, or a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnf_pkg_id: Option<String>,
    /// `INSTANTIATED` while it has VNFC instances, else `NOT_INSTANTIATED`.
    pub instantiation_state: String,
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

/// The Pop network of a virtual link at a site (SOL005 `NsVirtualLinkInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInfo {
    /// `<virtual link>@<site>`: unique within the network service.
    pub id: String,
    /// SOL005: the virtual link's name in the NSD.
    pub ns_virtual_link_desc_id: String,
    /// SOL005: the same (an Open Baton NSD has one profile per link).
    pub ns_virtual_link_profile_id: String,
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
            nsd_info_id: nsr.nsd_id.clone(),
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
        let instantiated = if v.vnfcs.is_empty() { "NOT_INSTANTIATED" } else { "INSTANTIATED" };
        Self {
            id: v.name.clone(),
            vnf_product_name: v.name.clone(),
            vnfd_id: v.name,
            vnf_provider: v.provider,
            vnf_software_version: v.version.clone(),
            vnfd_version: v.version,
            vnf_pkg_id: v.package,
            instantiation_state: instantiated.to_owned(),
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
            id: format!("{}@{}", n.virtual_link, n.site),
            ns_virtual_link_desc_id: n.virtual_link.clone(),
            ns_virtual_link_profile_id: n.virtual_link.clone(),
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
