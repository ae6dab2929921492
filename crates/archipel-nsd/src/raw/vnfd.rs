//! A VNFD and the objects only it holds: configurations and deployment flavours.

use serde::de::IgnoredAny;
use serde::Deserialize;

use std::collections::BTreeMap;

use super::{RawLifecycleEvent, RawRequires, RawVdu, RawVirtualLink};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VirtualNetworkFunctionDescriptor object")]
pub(crate) struct RawVnfd {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub vnf_type: Option<String>,
    pub endpoint: Option<String>,
    pub vdu: Option<Vec<RawVdu>>,
    pub configurations: Option<RawConfigurations>,
    pub virtual_link: Option<Vec<RawVirtualLink>>,
    pub deployment_flavour: Option<Vec<RawDeploymentFlavour>>,
    pub lifecycle_event: Option<Vec<RawLifecycleEvent>>,
    /// Source VNFD name -> the parameters wanted from it.
    pub requires: Option<BTreeMap<String, RawRequires>>,
    pub provides: Option<Vec<String>>,

    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
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
    #[serde(rename = "createdAt")]
    _created_at: Option<IgnoredAny>,
    #[serde(rename = "updatedAt")]
    _updated_at: Option<IgnoredAny>,
    /// Kept for the VNF's SOL005 record (a string, or a number as some descriptors write it).
    pub vendor: Option<serde_json::Value>,
    pub version: Option<serde_json::Value>,
    #[serde(rename = "descriptor_version")]
    _descriptor_version: Option<IgnoredAny>,
    #[serde(rename = "vdu_dependency")]
    _vdu_dependency: Option<IgnoredAny>,
    #[serde(rename = "manifest_file")]
    _manifest_file: Option<IgnoredAny>,
    #[serde(rename = "manifest_file_security")]
    _manifest_file_security: Option<IgnoredAny>,
    #[serde(rename = "vnfPackageLocation")]
    pub vnf_package_location: Option<String>,
    #[serde(rename = "cyclicDependency")]
    _cyclic_dependency: Option<IgnoredAny>,
    #[serde(rename = "fault_management_policy")]
    _fault_management_policy: Option<IgnoredAny>,
    #[serde(rename = "vnffgd")]
    _vnffgd: Option<IgnoredAny>,
    #[serde(rename = "vld")]
    _vld: Option<IgnoredAny>,
    #[serde(rename = "monitoring_parameter")]
    _monitoring_parameter: Option<IgnoredAny>,
    #[serde(rename = "service_deployment_flavour")]
    _service_deployment_flavour: Option<IgnoredAny>,
    #[serde(rename = "auto_scale_policy")]
    _auto_scale_policy: Option<IgnoredAny>,
    #[serde(rename = "connection_point")]
    _connection_point: Option<IgnoredAny>,
    #[serde(rename = "VNFDConnection_point")]
    _vnfd_connection_point: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton Configuration object")]
pub(crate) struct RawConfigurations {
    #[serde(rename = "configurationParameters")]
    pub configuration_parameters: Option<Vec<RawConfigurationParameter>>,

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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton ConfigurationParameter object")]
pub(crate) struct RawConfigurationParameter {
    #[serde(rename = "confKey")]
    pub conf_key: Option<String>,
    pub value: Option<String>,

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
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VNFDeploymentFlavour object")]
pub(crate) struct RawDeploymentFlavour {
    pub flavour_key: Option<String>,

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
    #[serde(rename = "extId")]
    _ext_id: Option<IgnoredAny>,
    #[serde(rename = "ram")]
    _ram: Option<IgnoredAny>,
    #[serde(rename = "disk")]
    _disk: Option<IgnoredAny>,
    #[serde(rename = "vcpus")]
    _vcpus: Option<IgnoredAny>,
    #[serde(rename = "df_constraint")]
    _df_constraint: Option<IgnoredAny>,
    /// Open Baton's own spelling; the correct one is accepted too.
    #[serde(rename = "costituent_vdu", alias = "constituent_vdu")]
    _constituent_vdu: Option<IgnoredAny>,
}
