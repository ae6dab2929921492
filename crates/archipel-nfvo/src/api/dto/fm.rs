//! NS fault management (SOL005 §8): an alarm's acknowledgement, and subscriptions to alarm
//! notifications (`FmSubscription`, a subset).

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Array;
use utoipa::ToSchema;

use super::subscription::{some_of, NsInstanceSubscriptionFilter, SubscriptionLinks};
use super::Link;
use crate::model::{Filter, Subscription};

/// Whether an operator acknowledged an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AckState {
    Acknowledged,
    Unacknowledged,
}

impl AckState {
    pub fn of(acknowledged: bool) -> Self {
        if acknowledged {
            AckState::Acknowledged
        } else {
            AckState::Unacknowledged
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AckState::Acknowledged => "ACKNOWLEDGED",
            AckState::Unacknowledged => "UNACKNOWLEDGED",
        }
    }
}

/// What a PATCH changes of an alarm (SOL005 `AlarmModifications`), and what it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlarmModifications {
    pub ack_state: AckState,
}

/// Asks for alarm notifications (SOL005 `FmSubscriptionRequest`, a subset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FmSubscriptionRequest {
    /// Where the notifications are POSTed: an `http` or `https` URL of at most 2048 bytes,
    /// without credentials, that answers a GET with 204.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z0-9]+([.-][a-z0-9]+)*(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]*)*$"
    )]
    pub callback_uri: String,
    #[serde(default)]
    pub filter: FmNotificationsFilter,
}

/// Which notifications (SOL005 `FmNotificationsFilter`, a subset): each list, when given, must
/// hold the notification's value; no filter takes every alarm notification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FmNotificationsFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns_instance_subscription_filter: Option<NsInstanceSubscriptionFilter>,
    /// AlarmNotification, AlarmClearedNotification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = fm_types)]
    pub notification_types: Vec<String>,
}

fn fm_types() -> Array {
    some_of(&["AlarmNotification", "AlarmClearedNotification"])
}

/// An alarm subscription (SOL005 `FmSubscription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FmSubscription {
    pub id: String,
    pub callback_uri: String,
    /// SOL005: 0..1 (an empty filter takes everything), so a selector may leave it out.
    #[serde(default)]
    pub filter: FmNotificationsFilter,
    #[serde(rename = "_links")]
    pub links: SubscriptionLinks,
}

impl From<FmNotificationsFilter> for Filter {
    fn from(f: FmNotificationsFilter) -> Self {
        let mut filter = Self { notification_types: f.notification_types, ..Filter::default() };
        NsInstanceSubscriptionFilter::apply(f.ns_instance_subscription_filter, &mut filter);
        filter
    }
}

impl From<Subscription> for FmSubscription {
    fn from(s: Subscription) -> Self {
        Self {
            links: SubscriptionLinks { self_link: Link::to(s.api.href(&s.id)) },
            id: s.id,
            callback_uri: s.callback_uri,
            filter: FmNotificationsFilter {
                ns_instance_subscription_filter: NsInstanceSubscriptionFilter::of(&s.filter),
                notification_types: s.filter.notification_types,
            },
        }
    }
}
