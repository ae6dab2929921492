//! What the watch knows, as the API shows it: health on records, alarms (SOL005 `Alarm`, the
//! part Archipel fills), and the heal request.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AckState, Link};
use crate::ids;
use crate::model::{Alarm, Health, Nsr};

/// Whether a record's workloads run as they should.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthInfo {
    /// HEALTHY, DEGRADED (a workload ended unexpectedly) or UNKNOWN (its site does not answer).
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// RFC 3339: when the state was entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

impl From<Health> for HealthInfo {
    fn from(h: Health) -> Self {
        Self {
            state: h.state.as_str().to_owned(),
            reason: h.reason,
            since: h.since.map(ids::rfc3339),
        }
    }
}

/// Heal an instance (SOL005 `HealNsRequest`, the part Archipel takes): `{}` heals every failed
/// VNFC instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealNsRequest {
    /// Archipel: the VNFC instances (container names) to heal; none: every DEGRADED one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 256)]
    pub vnfc_instance_names: Vec<String>,
    /// SOL005's `healNsData`: its degree of healing and actions are not acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub heal_ns_data: Option<serde_json::Value>,
}

/// The most VNFC instances one heal request may name.
pub const HEAL_LIMIT: usize = 256;

/// An alarm on a VNFC instance whose workload ended unexpectedly (SOL005 `Alarm`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmInfo {
    pub id: String,
    /// The NS instance's id.
    pub managed_object_id: String,
    /// The VNFC instance (container name) and its site.
    pub root_cause_faulty_resource: FaultyResource,
    /// RFC 3339.
    pub alarm_raised_time: String,
    /// RFC 3339; absent while raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_cleared_time: Option<String>,
    /// ACKNOWLEDGED once an operator said so by PATCH, else UNACKNOWLEDGED.
    pub ack_state: String,
    /// CRITICAL while raised, CLEARED after.
    pub perceived_severity: String,
    /// RFC 3339.
    pub event_time: String,
    /// PROCESSING_ERROR_ALARM.
    pub event_type: String,
    pub probable_cause: String,
    pub is_root_cause: bool,
    #[serde(rename = "_links")]
    pub links: AlarmLinks,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaultyResource {
    pub vnfc_instance_name: String,
    pub vim_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
    pub object_instance: Link,
}

impl AlarmInfo {
    /// Every alarm of `nsr`, oldest first.
    pub fn of(nsr: &Nsr) -> Vec<AlarmInfo> {
        nsr.alarms.iter().map(|a| AlarmInfo::new(&nsr.id, a.clone())).collect()
    }

    /// `a`, an alarm of the NS instance `nsr_id`.
    pub fn new(nsr_id: &str, a: Alarm) -> Self {
        let cleared = a.cleared.map(ids::rfc3339);
        Self {
            links: AlarmLinks {
                self_link: Link::to(format!("/nsfm/v1/alarms/{}", a.id)),
                object_instance: Link::to(format!("/nslcm/v1/ns_instances/{nsr_id}")),
            },
            id: a.id,
            managed_object_id: nsr_id.to_owned(),
            root_cause_faulty_resource: FaultyResource {
                vnfc_instance_name: a.vnfc,
                vim_id: a.site,
            },
            alarm_raised_time: ids::rfc3339(a.raised),
            event_time: cleared.clone().unwrap_or_else(|| ids::rfc3339(a.raised)),
            perceived_severity: if cleared.is_some() { "CLEARED" } else { "CRITICAL" }.to_owned(),
            alarm_cleared_time: cleared,
            ack_state: AckState::of(a.acknowledged).as_str().to_owned(),
            event_type: "PROCESSING_ERROR_ALARM".to_owned(),
            probable_cause: a.reason,
            is_root_cause: true,
        }
    }
}
