//! A VDU and what it holds: VNFCs and their connection points.

use serde::de::IgnoredAny;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VirtualDeploymentUnit object")]
pub(crate) struct RawVdu {
    pub vm_image: Option<Vec<String>>,
    pub scale_in_out: Option<u32>,
    pub vnfc: Option<Vec<RawVnfc>>,
    #[serde(rename = "vimInstanceName")]
    pub vim_instance_name: Option<Vec<String>>,
    pub lifecycle_event: Option<Vec<super::RawLifecycleEvent>>,

    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
    #[serde(rename = "hb_version")]
    _hb_version: Option<IgnoredAny>,
    #[serde(rename = "hbVersion")]
    _hb_version_camel: Option<IgnoredAny>,
    #[serde(rename = "projectId")]
    _project_id: Option<IgnoredAny>,
    #[serde(rename = "shared")]
    _shared: Option<IgnoredAny>,
    #[serde(rename = "metadata")]
    _metadata: Option<IgnoredAny>,
    #[serde(rename = "name")]
    _name: Option<IgnoredAny>,
    #[serde(rename = "parent_vdu")]
    _parent_vdu: Option<IgnoredAny>,
    #[serde(rename = "computation_requirement")]
    _computation_requirement: Option<IgnoredAny>,
    #[serde(rename = "virtual_memory_resource_element")]
    _virtual_memory_resource_element: Option<IgnoredAny>,
    #[serde(rename = "virtual_network_bandwidth_resource")]
    _virtual_network_bandwidth_resource: Option<IgnoredAny>,
    #[serde(rename = "vdu_constraint")]
    _vdu_constraint: Option<IgnoredAny>,
    #[serde(rename = "high_availability")]
    _high_availability: Option<IgnoredAny>,
    #[serde(rename = "fault_management_policy")]
    _fault_management_policy: Option<IgnoredAny>,
    #[serde(rename = "vnfc_instance")]
    _vnfc_instance: Option<IgnoredAny>,
    #[serde(rename = "monitoring_parameter")]
    _monitoring_parameter: Option<IgnoredAny>,
    #[serde(rename = "vimInstance")]
    _vim_instance: Option<IgnoredAny>,
    #[serde(rename = "hostname")]
    _hostname: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VNFComponent object")]
pub(crate) struct RawVnfc {
    pub connection_point: Option<Vec<RawConnectionPoint>>,

    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
    #[serde(rename = "hb_version")]
    _hb_version: Option<IgnoredAny>,
    #[serde(rename = "hbVersion")]
    _hb_version_camel: Option<IgnoredAny>,
    #[serde(rename = "projectId")]
    _project_id: Option<IgnoredAny>,
    #[serde(rename = "shared")]
    _shared: Option<IgnoredAny>,
    #[serde(rename = "metadata")]
    _metadata: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VNFDConnectionPoint object")]
pub(crate) struct RawConnectionPoint {
    pub virtual_link_reference: Option<String>,

    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
    #[serde(rename = "hb_version")]
    _hb_version: Option<IgnoredAny>,
    #[serde(rename = "hbVersion")]
    _hb_version_camel: Option<IgnoredAny>,
    #[serde(rename = "projectId")]
    _project_id: Option<IgnoredAny>,
    #[serde(rename = "shared")]
    _shared: Option<IgnoredAny>,
    #[serde(rename = "metadata")]
    _metadata: Option<IgnoredAny>,
    #[serde(rename = "type")]
    _type: Option<IgnoredAny>,
    #[serde(rename = "floatingIp")]
    _floating_ip: Option<IgnoredAny>,
    #[serde(rename = "fixedIp")]
    _fixed_ip: Option<IgnoredAny>,
    #[serde(rename = "chosenPool")]
    _chosen_pool: Option<IgnoredAny>,
    #[serde(rename = "interfaceId")]
    _interface_id: Option<IgnoredAny>,
    #[serde(rename = "virtual_link_reference_id")]
    _virtual_link_reference_id: Option<IgnoredAny>,
}
