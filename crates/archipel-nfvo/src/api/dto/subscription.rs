use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Array, ArrayBuilder, ObjectBuilder, Type};
use utoipa::ToSchema;

use super::Link;
use crate::model::{Filter, Subscription};

/// Asks for notifications (SOL005 `LccnSubscriptionRequest`, a subset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LccnSubscriptionRequest {
    /// Where the notifications are POSTed: an `http` or `https` URL of at most 2048 bytes,
    /// without credentials.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z0-9]+([.-][a-z0-9]+)*(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]*)*$"
    )]
    pub callback_uri: String,
    #[serde(default)]
    pub filter: LifecycleChangeNotificationsFilter,
}

/// Which notifications (SOL005 `LifecycleChangeNotificationsFilter`, a subset): each list, when
/// given, must hold the notification's value; no filter takes everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LifecycleChangeNotificationsFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns_instance_subscription_filter: Option<NsInstanceSubscriptionFilter>,
    /// NsLcmOperationOccurrenceNotification, AlarmNotification, AlarmClearedNotification,
    /// NsHealthChangeNotification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = notification_types)]
    pub notification_types: Vec<String>,
    /// INSTANTIATE, SCALE, HEAL, TERMINATE, UPDATE.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = operation_types)]
    pub operation_types: Vec<String>,
    /// PROCESSING, COMPLETED, FAILED, ROLLED_BACK.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = operation_states)]
    pub operation_states: Vec<String>,
}

/// An array of some of `values`: what the filter's lists may hold, as the document says it.
pub(super) fn some_of(values: &[&str]) -> Array {
    let item = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.to_vec()));
    ArrayBuilder::new().items(item).max_items(Some(64)).build()
}

fn notification_types() -> Array {
    some_of(&[
        "NsLcmOperationOccurrenceNotification",
        "AlarmNotification",
        "AlarmClearedNotification",
        "NsHealthChangeNotification",
    ])
}

fn operation_types() -> Array {
    some_of(&["INSTANTIATE", "SCALE", "HEAL", "TERMINATE", "UPDATE"])
}

fn operation_states() -> Array {
    some_of(&["PROCESSING", "COMPLETED", "FAILED", "ROLLED_BACK"])
}

/// Which NS instances (SOL005 `NsInstanceSubscriptionFilter`): by descriptor (`nsdIds`,
/// `vnfdIds` or `pnfdIds`, one of them) and by instance (`nsInstanceIds` or
/// `nsInstanceNames`, one of them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NsInstanceSubscriptionFilter {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nsd_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vnfd_ids: Vec<String>,
    /// Taken for SOL005's sake: no NS here has a PNF, so a filter that names one takes nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pnfd_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ns_instance_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ns_instance_names: Vec<String>,
}

impl NsInstanceSubscriptionFilter {
    /// Sets the NS instance lists of `filter` from `given`.
    pub(super) fn apply(given: Option<Self>, filter: &mut Filter) {
        let f = given.unwrap_or_default();
        filter.nsd_ids = f.nsd_ids;
        filter.vnfd_ids = f.vnfd_ids;
        filter.pnfd_ids = f.pnfd_ids;
        filter.ns_instance_ids = f.ns_instance_ids;
        filter.ns_instance_names = f.ns_instance_names;
    }

    /// The NS instance lists of `filter`, None when they are all empty.
    pub(super) fn of(filter: &Filter) -> Option<Self> {
        let f = Self {
            nsd_ids: filter.nsd_ids.clone(),
            vnfd_ids: filter.vnfd_ids.clone(),
            pnfd_ids: filter.pnfd_ids.clone(),
            ns_instance_ids: filter.ns_instance_ids.clone(),
            ns_instance_names: filter.ns_instance_names.clone(),
        };
        (f != Self::default()).then_some(f)
    }
}

/// A subscription (SOL005 `LccnSubscription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LccnSubscription {
    pub id: String,
    pub callback_uri: String,
    /// SOL005: 0..1 (an empty filter takes everything), so a selector may leave it out.
    #[serde(default)]
    pub filter: LifecycleChangeNotificationsFilter,
    #[serde(rename = "_links")]
    pub links: SubscriptionLinks,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubscriptionLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
}

impl From<LifecycleChangeNotificationsFilter> for Filter {
    fn from(f: LifecycleChangeNotificationsFilter) -> Self {
        let mut filter = Self {
            notification_types: f.notification_types,
            operation_types: f.operation_types,
            operation_states: f.operation_states,
            ..Filter::default()
        };
        NsInstanceSubscriptionFilter::apply(f.ns_instance_subscription_filter, &mut filter);
        filter
    }
}

impl From<Filter> for LifecycleChangeNotificationsFilter {
    fn from(f: Filter) -> Self {
        Self {
            ns_instance_subscription_filter: NsInstanceSubscriptionFilter::of(&f),
            notification_types: f.notification_types,
            operation_types: f.operation_types,
            operation_states: f.operation_states,
        }
    }
}

impl From<Subscription> for LccnSubscription {
    fn from(s: Subscription) -> Self {
        Self {
            links: SubscriptionLinks { self_link: Link::to(s.api.href(&s.id)) },
            id: s.id,
            callback_uri: s.callback_uri,
            filter: s.filter.into(),
        }
    }
}
