//! SOL005 subscriptions to notifications: of NS lifecycle management (`LccnSubscription`, a
//! subset), of NSD management (`NsdmSubscription`, a subset), of NS fault management
//! (`FmSubscription`, a subset) and of VNF package management (`PkgmSubscription`, a subset).

use serde::{Deserialize, Serialize};

/// A subscriber: where its notifications go, and which ones it wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    /// The API it was made through, which decides the notifications it can take.
    pub api: SubscriptionApi,
    /// An `http` or `https` URL without credentials.
    pub callback_uri: String,
    pub filter: Filter,
    /// Unix seconds.
    pub created: i64,
}

/// The SOL005 API of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubscriptionApi {
    /// `/nslcm/v1/subscriptions`: lifecycle, alarm and health notifications.
    Nslcm,
    /// `/nsd/v1/subscriptions`: NSD onboarding, change and deletion notifications.
    Nsd,
    /// `/nsfm/v1/subscriptions`: alarm notifications.
    Nsfm,
    /// `/vnfpkgm/v1/subscriptions`: VNF package onboarding and change notifications.
    Vnfpkgm,
}

impl SubscriptionApi {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionApi::Nslcm => "nslcm",
            SubscriptionApi::Nsd => "nsd",
            SubscriptionApi::Nsfm => "nsfm",
            SubscriptionApi::Vnfpkgm => "vnfpkgm",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            SubscriptionApi::Nslcm,
            SubscriptionApi::Nsd,
            SubscriptionApi::Nsfm,
            SubscriptionApi::Vnfpkgm,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }

    /// The subscription's URL.
    pub fn href(self, id: &str) -> String {
        format!("/{}/v1/subscriptions/{id}", self.as_str())
    }
}

/// Which notifications a subscriber wants: each list, when not empty, must hold the
/// notification's value; an empty filter takes everything its API sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notification_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ns_instance_ids: Vec<String>,
    /// The NS instances by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ns_instance_names: Vec<String>,
    /// The NS instances of these NSDs (their `nsdId`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nsd_ids: Vec<String>,
    /// The NS instances with a VNF of one of these VNFDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vnfd_ids: Vec<String>,
    /// The NS instances with a PNF of one of these PNFDs: none here, which has no PNFs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pnfd_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operation_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operation_states: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nsd_info_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vnf_pkg_ids: Vec<String>,
}
