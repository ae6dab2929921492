//! VNF package management subscriptions (SOL005 `PkgmSubscription`, a subset).

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Array;
use utoipa::ToSchema;

use super::subscription::{some_of, SubscriptionLinks};
use super::Link;
use crate::model::{Filter, Subscription};

/// Asks for VNF package notifications (SOL005 `PkgmSubscriptionRequest`, a subset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PkgmSubscriptionRequest {
    /// Where the notifications are POSTed: an `http` or `https` URL of at most 2048 bytes,
    /// without credentials, that answers a GET with 204.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z0-9]+([.-][a-z0-9]+)*(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]*)*$"
    )]
    pub callback_uri: String,
    #[serde(default)]
    pub filter: PkgmNotificationsFilter,
}

/// Which notifications (SOL005 `PkgmNotificationsFilter`, a subset): each list, when given,
/// must hold the notification's value; no filter takes every VNF package notification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PkgmNotificationsFilter {
    /// VnfPackageOnboardingNotification, VnfPackageChangeNotification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = pkgm_types)]
    pub notification_types: Vec<String>,
    /// The packages (their VnfPkgInfo ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 64)]
    pub vnf_pkg_id: Vec<String>,
}

fn pkgm_types() -> Array {
    some_of(&["VnfPackageOnboardingNotification", "VnfPackageChangeNotification"])
}

/// A VNF package management subscription (SOL005 `PkgmSubscription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PkgmSubscription {
    pub id: String,
    pub callback_uri: String,
    /// SOL005: 0..1 (an empty filter takes everything), so a selector may leave it out.
    #[serde(default)]
    pub filter: PkgmNotificationsFilter,
    #[serde(rename = "_links")]
    pub links: SubscriptionLinks,
}

impl From<PkgmNotificationsFilter> for Filter {
    fn from(f: PkgmNotificationsFilter) -> Self {
        Self {
            notification_types: f.notification_types,
            vnf_pkg_ids: f.vnf_pkg_id,
            ..Filter::default()
        }
    }
}

impl From<Subscription> for PkgmSubscription {
    fn from(s: Subscription) -> Self {
        Self {
            links: SubscriptionLinks { self_link: Link::to(s.api.href(&s.id)) },
            id: s.id,
            callback_uri: s.callback_uri,
            filter: PkgmNotificationsFilter {
                notification_types: s.filter.notification_types,
                vnf_pkg_id: s.filter.vnf_pkg_ids,
            },
        }
    }
}
