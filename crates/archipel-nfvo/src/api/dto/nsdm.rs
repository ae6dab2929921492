//! NSD management subscriptions (SOL005 `NsdmSubscription`, a subset).

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Array;
use utoipa::ToSchema;

use super::subscription::{some_of, SubscriptionLinks};
use super::Link;
use crate::model::{Filter, Subscription};

/// Asks for NSD management notifications (SOL005 `NsdmSubscriptionRequest`, a subset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NsdmSubscriptionRequest {
    /// Where the notifications are POSTed: an `http` or `https` URL of at most 2048 bytes,
    /// without credentials, that answers a GET with 204.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z0-9]+([.-][a-z0-9]+)*(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]*)*$"
    )]
    pub callback_uri: String,
    #[serde(default)]
    pub filter: NsdmNotificationsFilter,
}

/// Which notifications (SOL005 `NsdmNotificationsFilter`, a subset): each list, when given,
/// must hold the notification's value; no filter takes every NSD notification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NsdmNotificationsFilter {
    /// NsdOnBoardingNotification, NsdOnboardingFailureNotification, NsdChangeNotification,
    /// NsdDeletionNotification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = nsdm_types)]
    pub notification_types: Vec<String>,
    /// The NSDs (their NsdInfo ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 64)]
    pub nsd_info_id: Vec<String>,
}

fn nsdm_types() -> Array {
    some_of(&[
        "NsdOnBoardingNotification",
        "NsdOnboardingFailureNotification",
        "NsdChangeNotification",
        "NsdDeletionNotification",
    ])
}

/// An NSD management subscription (SOL005 `NsdmSubscription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NsdmSubscription {
    pub id: String,
    pub callback_uri: String,
    /// SOL005: 0..1 (an empty filter takes everything), so a selector may leave it out.
    #[serde(default)]
    pub filter: NsdmNotificationsFilter,
    #[serde(rename = "_links")]
    pub links: SubscriptionLinks,
}

impl From<NsdmNotificationsFilter> for Filter {
    fn from(f: NsdmNotificationsFilter) -> Self {
        Self {
            notification_types: f.notification_types,
            nsd_info_ids: f.nsd_info_id,
            ..Filter::default()
        }
    }
}

impl From<Subscription> for NsdmSubscription {
    fn from(s: Subscription) -> Self {
        Self {
            links: SubscriptionLinks { self_link: Link::to(s.api.href(&s.id)) },
            id: s.id,
            callback_uri: s.callback_uri,
            filter: NsdmNotificationsFilter {
                notification_types: s.filter.notification_types,
                nsd_info_id: s.filter.nsd_info_ids,
            },
        }
    }
}
