use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Link;
use crate::engine::NsdView;
use crate::ids;

/// An NSD (SOL005 `NsdInfo`): onboarded at once (Open Baton's one step), or made empty and
/// given its document later (SOL005's two).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NsdInfo {
    pub id: String,
    /// The NSD's identifier: here its `id`, once it has a document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsd_id: Option<String>,
    /// The document's `name`, once it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsd_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsd_version: Option<String>,
    /// The document's `vendor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsd_designer: Option<String>,
    /// The same for every version of the NSD: its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsd_invariant_id: Option<String>,
    /// The uploaded VNF packages its VNFDs name.
    #[serde(default)]
    pub vnf_pkg_ids: Vec<String>,
    /// Always empty: Archipel has no PNFs.
    #[serde(default)]
    pub pnfd_info_ids: Vec<String>,
    /// Always empty: Archipel does not nest NSDs.
    #[serde(default)]
    pub nested_nsd_info_ids: Vec<String>,
    /// `CREATED` until its document is uploaded, then `ONBOARDED`.
    pub nsd_onboarding_state: String,
    /// `ENABLED` or `DISABLED` (by PATCH); a disabled NSD makes no new network service.
    pub nsd_operational_state: String,
    /// `IN_USE` while a network service made from it exists, else `NOT_IN_USE`.
    pub nsd_usage_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub user_defined_data: Option<serde_json::Map<String, serde_json::Value>>,
    /// RFC 3339: when it was made.
    pub onboarded_at: String,
    /// The fields of the descriptor that Archipel accepts but does not act on (lifecycle
    /// scripts, scaling policies, monitoring parameters, ...), with their paths.
    #[serde(default)]
    pub warnings: Vec<NsdWarning>,
    #[serde(rename = "_links")]
    pub links: NsdLinks,
}

/// The body of an NSD's creation (SOL005 `CreateNsdInfoRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateNsdInfoRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub user_defined_data: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What a PATCH changes of an NSD (SOL005 `NsdInfoModifications`), and what it answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NsdInfoModifications {
    /// `ENABLED` or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub nsd_operational_state: Option<OperationalState>,
    /// Merged into the NSD's (RFC 7396: a null value removes its key).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "not_null")]
    #[schema(value_type = Object, nullable = false)]
    pub user_defined_data: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A field that may be left out but not given as null (which would read as "left out").
fn not_null<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationalState {
    Enabled,
    Disabled,
}

/// A field of the descriptor that Archipel does not act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NsdWarning {
    /// Where it is, e.g. `vnfd[0].lifecycle_event`.
    pub path: String,
    /// Why it has no effect, and what Archipel does instead.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct NsdLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
    /// The document as it was posted.
    pub nsd_content: Link,
}

impl NsdInfo {
    /// `packages`: the ids of the uploaded VNF packages.
    pub fn new(view: NsdView, packages: &[String]) -> Self {
        let r = view.record;
        let href = format!("/nsd/v1/ns_descriptors/{}", r.id);
        let doc = r.document.as_ref();
        let vnf_pkg_ids = doc
            .and_then(|d| crate::catalogue::parse_nsd(&d.content).ok())
            .map(|nsd| {
                let named = nsd.vnfd().iter().filter_map(|v| v.package.clone());
                let mut ids: Vec<String> = named.filter(|p| packages.contains(p)).collect();
                ids.dedup();
                ids
            })
            .unwrap_or_default();
        let enabled = if r.enabled { "ENABLED" } else { "DISABLED" };
        Self {
            nsd_id: doc.map(|_| r.id.clone()),
            nsd_name: doc.map(|d| d.name.clone()),
            nsd_version: doc.map(|d| d.version.clone()),
            nsd_designer: doc.map(|d| d.vendor.clone()),
            nsd_invariant_id: doc.map(|d| d.name.clone()),
            vnf_pkg_ids,
            pnfd_info_ids: Vec::new(),
            nested_nsd_info_ids: Vec::new(),
            nsd_onboarding_state: if doc.is_some() { "ONBOARDED" } else { "CREATED" }.to_owned(),
            nsd_operational_state: enabled.to_owned(),
            nsd_usage_state: if view.in_use { "IN_USE" } else { "NOT_IN_USE" }.to_owned(),
            user_defined_data: r.user_data.as_deref().and_then(|t| serde_json::from_str(t).ok()),
            onboarded_at: ids::rfc3339(r.onboarded),
            warnings: view
                .warnings
                .into_iter()
                .map(|w| NsdWarning {
                    message: format!("{} is not acted on: {}", w.field, w.reason),
                    path: w.path,
                })
                .collect(),
            links: NsdLinks {
                nsd_content: Link::to(format!("{href}/nsd_content")),
                self_link: Link::to(href),
            },
            id: r.id,
        }
    }
}
