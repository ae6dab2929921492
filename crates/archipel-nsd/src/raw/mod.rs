//! The NSD exactly as Open Baton's JSON spells it, before any rule is checked.
//!
//! Each object lists the fields Archipel acts on, then the Open Baton fields it accepts and
//! ignores (as `IgnoredAny`, named after the JSON key with a leading `_`); any other key is
//! refused by `deny_unknown_fields` with its path. Acted-on fields are all optional here so that
//! a missing one is reported by [`super::convert`] with its own path rather than its parent's.
//! Type errors name the Open Baton class each type stands for.

mod dependency;
mod lifecycle;
mod vdu;
mod vnfd;

use serde::de::IgnoredAny;
use serde::Deserialize;

pub(crate) use dependency::{RawDependency, RawRequires, RawVnfdRef};
pub(crate) use lifecycle::RawLifecycleEvent;
pub(crate) use vdu::{RawConnectionPoint, RawVdu, RawVnfc};
pub(crate) use vnfd::{RawConfigurationParameter, RawDeploymentFlavour, RawVnfd};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton NetworkServiceDescriptor object")]
pub(crate) struct RawNsd {
    pub name: Option<String>,
    pub vendor: Option<String>,
    pub version: Option<String>,
    pub vld: Option<Vec<RawVirtualLink>>,
    pub vnfd: Option<Vec<RawVnfd>>,
    pub vnf_dependency: Option<Vec<RawDependency>>,

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
    #[serde(rename = "nfvo_version")]
    _nfvo_version: Option<IgnoredAny>,
    #[serde(rename = "enabled")]
    _enabled: Option<IgnoredAny>,
    #[serde(rename = "cyclicDependency")]
    _cyclic_dependency: Option<IgnoredAny>,
    #[serde(rename = "vnffgd")]
    _vnffgd: Option<IgnoredAny>,
    #[serde(rename = "pnfd")]
    _pnfd: Option<IgnoredAny>,
    #[serde(rename = "nsd_security")]
    _nsd_security: Option<IgnoredAny>,
    #[serde(rename = "monitoring_parameter")]
    _monitoring_parameter: Option<IgnoredAny>,
    #[serde(rename = "service_deployment_flavour")]
    _service_deployment_flavour: Option<IgnoredAny>,
    #[serde(rename = "auto_scale_policy")]
    _auto_scale_policy: Option<IgnoredAny>,
    #[serde(rename = "connection_point")]
    _connection_point: Option<IgnoredAny>,
}

/// Both an NSD `vld` entry and a VNFD `virtual_link` entry; Open Baton shares their base class.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VirtualLink object")]
pub(crate) struct RawVirtualLink {
    pub name: Option<String>,

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
    #[serde(rename = "extId")]
    _ext_id: Option<IgnoredAny>,
    #[serde(rename = "root_requirement")]
    _root_requirement: Option<IgnoredAny>,
    #[serde(rename = "leaf_requirement")]
    _leaf_requirement: Option<IgnoredAny>,
    #[serde(rename = "qos")]
    _qos: Option<IgnoredAny>,
    #[serde(rename = "test_access")]
    _test_access: Option<IgnoredAny>,
    #[serde(rename = "connectivity_type")]
    _connectivity_type: Option<IgnoredAny>,
    #[serde(rename = "cidr")]
    _cidr: Option<IgnoredAny>,
    #[serde(rename = "vendor")]
    _vendor: Option<IgnoredAny>,
    #[serde(rename = "descriptor_version")]
    _descriptor_version: Option<IgnoredAny>,
    #[serde(rename = "number_of_endpoints")]
    _number_of_endpoints: Option<IgnoredAny>,
    #[serde(rename = "connection")]
    _connection: Option<IgnoredAny>,
    #[serde(rename = "vld_security")]
    _vld_security: Option<IgnoredAny>,
    #[serde(rename = "connection_points_references")]
    _connection_points_references: Option<IgnoredAny>,
    #[serde(rename = "poolName")]
    _pool_name: Option<IgnoredAny>,
    #[serde(rename = "dns")]
    _dns: Option<IgnoredAny>,
}
