//! SOL005 subscriptions to notifications (`LccnSubscription`, a subset).

use serde::{Deserialize, Serialize};

/// A subscriber: where its notifications go, and which ones it wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    /// An `http` or `https` URL without credentials.
    pub callback_uri: String,
    pub filter: Filter,
    /// Unix seconds.
    pub created: i64,
}

/// Which notifications a subscriber wants: each list, when not empty, must hold the
/// notification's value; an empty filter takes everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notification_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ns_instance_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operation_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operation_states: Vec<String>,
}
