//! What the watch knows of running records: their health, and the alarms it raised.

use serde::{Deserialize, Serialize};

/// Whether a record's workloads run as they should, as the site's Watch stream says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HealthState {
    #[default]
    Healthy,
    /// Its site does not answer: the workload may run or not.
    Unknown,
    /// A workload ended unexpectedly.
    Degraded,
}

impl HealthState {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Healthy => "HEALTHY",
            HealthState::Unknown => "UNKNOWN",
            HealthState::Degraded => "DEGRADED",
        }
    }
}

/// A record's health, why, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Health {
    pub state: HealthState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
}

impl Health {
    pub fn new(state: HealthState, reason: Option<String>, since: i64) -> Self {
        Self { state, reason, since: Some(since) }
    }

    /// The worst of `parts` (healthy when there are none), keeping `self`'s time when the state
    /// does not change.
    pub fn worst_of<'a>(&self, parts: impl Iterator<Item = &'a Health>, now: i64) -> Health {
        let worst = parts.max_by_key(|h| h.state).cloned().unwrap_or_default();
        if worst.state == self.state && worst.reason == self.reason {
            return self.clone();
        }
        Health::new(worst.state, worst.reason, now)
    }
}

/// An alarm on a VNFC instance whose workload ended unexpectedly (SOL005's `Alarm`, the part
/// Archipel fills). It stays raised until the VNFC runs again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarm {
    pub id: String,
    /// The VNFC instance's container name.
    pub vnfc: String,
    pub site: String,
    pub reason: String,
    /// Unix seconds.
    pub raised: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared: Option<i64>,
    /// An operator acknowledged it (SOL005 `ackState`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub acknowledged: bool,
}

impl Alarm {
    /// The version of what a client may change (SOL005's `ETag` of an individual alarm): it
    /// changes with the acknowledgement and the clearing.
    pub fn etag(&self) -> String {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        (&self.id, self.acknowledged, self.cleared).hash(&mut hasher);
        format!("\"{:016x}\"", hasher.finish())
    }
}

/// Whether `if_match` (an `If-Match` header: `*` or a list of ETags) holds for `etag`.
pub fn if_match_holds(if_match: &str, etag: &str) -> bool {
    if_match.trim() == "*" || if_match.split(',').any(|t| t.trim() == etag)
}
