use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Link;
use crate::engine::NsdView;
use crate::ids;

/// An onboarded NSD (SOL005 `NsdInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NsdInfo {
    pub id: String,
    pub nsd_name: String,
    pub nsd_version: String,
    /// The NSD's `vendor`.
    pub nsd_designer: String,
    /// Always `ONBOARDED`: an NSD is checked and stored in one step.
    pub nsd_onboarding_state: String,
    /// Always `ENABLED`.
    pub nsd_operational_state: String,
    /// `IN_USE` while a network service made from it exists, else `NOT_IN_USE`.
    pub nsd_usage_state: String,
    /// RFC 3339.
    pub onboarded_at: String,
    /// The fields of the descriptor that Archipel accepts but does not act on (lifecycle
    /// scripts, scaling policies, monitoring parameters, ...), with their paths.
    #[serde(default)]
    pub warnings: Vec<NsdWarning>,
    #[serde(rename = "_links")]
    pub links: NsdLinks,
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

impl From<NsdView> for NsdInfo {
    fn from(view: NsdView) -> Self {
        let r = view.record;
        let href = format!("/nsd/v1/ns_descriptors/{}", r.id);
        Self {
            nsd_name: r.name,
            nsd_version: r.version,
            nsd_designer: r.vendor,
            nsd_onboarding_state: "ONBOARDED".to_owned(),
            nsd_operational_state: "ENABLED".to_owned(),
            nsd_usage_state: if view.in_use { "IN_USE" } else { "NOT_IN_USE" }.to_owned(),
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
