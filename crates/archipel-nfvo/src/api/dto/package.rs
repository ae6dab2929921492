use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Link;
use crate::ids;
use crate::store::PackageRecord;

/// A VNF package (SOL005 `VnfPkgInfo`): made empty, then onboarded by uploading an Open Baton
/// package (a plain tar of `Metadata.yaml`, `vnfd.json` and `scripts/`). A VNFD names it in
/// its `vnfPackageLocation` to get its lifecycle scripts run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VnfPkgInfo {
    pub id: String,
    /// `Metadata.yaml`'s `name`, once uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnf_product_name: Option<String>,
    /// `CREATED` until its content is uploaded, then `ONBOARDED`.
    pub onboarding_state: String,
    /// `ENABLED` once onboarded, until a client disables it; else `DISABLED`.
    pub operational_state: String,
    /// `IN_USE` while an onboarded NSD names it, else `NOT_IN_USE`.
    pub usage_state: String,
    /// RFC 3339.
    pub created_at: String,
    #[serde(rename = "_links")]
    pub links: VnfPkgLinks,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VnfPkgLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
    pub package_content: Link,
}

/// The body of a package's creation (SOL005 `CreateVnfPkgInfoRequest`); may be empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateVnfPkgInfoRequest {
    /// Kept by SOL005 clients; Archipel does not store it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub user_defined_data: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What a client changes of a package (SOL005 `VnfPkgInfoModifications`): its operational
/// state. SOL005's `userDefinedData` is not kept here, so it is not taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VnfPkgInfoModifications {
    pub operational_state: super::OperationalState,
}

/// A package's content, its tar's bytes.
#[derive(Debug, Clone, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PackageContent(pub Vec<u8>);

impl VnfPkgInfo {
    pub fn new(record: PackageRecord, in_use: bool) -> Self {
        let href = format!("/vnfpkgm/v1/vnf_packages/{}", record.id);
        let onboarded = record.content.is_some();
        let enabled = record.enabled();
        Self {
            vnf_product_name: record.name,
            onboarding_state: if onboarded { "ONBOARDED" } else { "CREATED" }.to_owned(),
            operational_state: if enabled { "ENABLED" } else { "DISABLED" }.to_owned(),
            usage_state: if in_use { "IN_USE" } else { "NOT_IN_USE" }.to_owned(),
            created_at: ids::rfc3339(record.created),
            links: VnfPkgLinks {
                package_content: Link::to(format!("{href}/package_content")),
                self_link: Link::to(href),
            },
            id: record.id,
        }
    }
}
