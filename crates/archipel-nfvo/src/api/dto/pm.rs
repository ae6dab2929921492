//! NS performance management (SOL005 §7): PM jobs, their reports, and thresholds, as SOL005
//! shapes them (a subset: no `subObjectInstanceIds`, no `authentication`; the callback must
//! take plain POSTs).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Link;
use crate::engine::{NewPmJob, NewThreshold};
use crate::ids;
use crate::model::{PmJob, PmReport, Threshold};

/// SOL005 `CreatePmJobRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePmJobRequest {
    /// `NS`: the only object type measured here.
    pub object_type: String,
    /// The NS instances measured: 1 to 64.
    #[schema(min_items = 1, max_items = 64)]
    pub object_instance_ids: Vec<String>,
    pub criteria: PmJobCriteria,
    /// Where each report is notified: an `http` or `https` URL of at most 2048 bytes, without
    /// credentials, that answers a GET with 204.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z0-9]+([.-][a-z0-9]+)*(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]*)*$"
    )]
    pub callback_uri: String,
}

/// SOL005 `PmJobCriteria`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PmJobCriteria {
    /// VnfcInstances, VnfcInstancesRunning, ActiveAlarms, LcmOperations (this or a group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 16)]
    pub performance_metric: Vec<String>,
    /// NsInstance: every metric.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 16)]
    pub performance_metric_group: Vec<String>,
    /// Seconds between two measurements: 1 to 86400.
    #[schema(minimum = 1, maximum = 86400)]
    pub collection_period: u32,
    /// Seconds between two reports: a multiple of the collection period, at most 86400.
    #[schema(minimum = 1, maximum = 86400)]
    pub reporting_period: u32,
    /// An RFC 3339 time after which nothing more is collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_boundary: Option<String>,
}

/// SOL005 `PmJob`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PmJobInfo {
    pub id: String,
    pub object_type: String,
    pub object_instance_ids: Vec<String>,
    pub criteria: PmJobCriteria,
    pub callback_uri: String,
    /// The reports kept (the newest 16), oldest first.
    pub reports: Vec<ReportInfo>,
    #[serde(rename = "_links")]
    pub links: PmJobLinks,
}

/// Where a report is, and when it was ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportInfo {
    pub href: String,
    pub ready_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PmJobLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
    pub objects: Vec<Link>,
}

impl PmJobInfo {
    pub fn new(job: PmJob, reports: &[PmReport]) -> Self {
        let href = format!("/nspm/v1/pm_jobs/{}", job.id);
        let reports = reports
            .iter()
            .map(|r| ReportInfo {
                href: format!("{href}/reports/{}", r.id),
                ready_time: ids::rfc3339(r.ready),
            })
            .collect();
        Self {
            links: PmJobLinks {
                objects: job.ns_instance_ids.iter().map(|ns| instance_link(ns)).collect(),
                self_link: Link::to(href),
            },
            id: job.id,
            object_type: crate::engine::NS_OBJECT.to_owned(),
            object_instance_ids: job.ns_instance_ids,
            criteria: PmJobCriteria {
                performance_metric: job.metrics.iter().map(|m| m.as_str().to_owned()).collect(),
                performance_metric_group: Vec::new(),
                collection_period: job.collection_period,
                reporting_period: job.reporting_period,
                reporting_boundary: job.reporting_boundary.map(ids::rfc3339),
            },
            callback_uri: job.callback_uri,
            reports,
        }
    }
}

impl From<CreatePmJobRequest> for NewPmJob {
    fn from(r: CreatePmJobRequest) -> Self {
        Self {
            object_type: r.object_type,
            ns_instance_ids: r.object_instance_ids,
            metrics: r.criteria.performance_metric,
            metric_groups: r.criteria.performance_metric_group,
            collection_period: r.criteria.collection_period,
            reporting_period: r.criteria.reporting_period,
            reporting_boundary: r.criteria.reporting_boundary,
            callback_uri: r.callback_uri,
        }
    }
}

/// What a PATCH changes of a PM job or a threshold (SOL005 `PmJobModifications`,
/// `ThresholdModifications`), and what it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallbackModifications {
    /// The new callback, tested as on creation.
    #[schema(max_length = 2048)]
    pub callback_uri: String,
}

/// SOL005 `PerformanceReport`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceReport {
    pub entries: Vec<PerformanceReportEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceReportEntry {
    pub object_type: String,
    pub object_instance_id: String,
    pub performance_metric: String,
    pub performance_values: Vec<PerformanceValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceValue {
    pub time_stamp: String,
    pub value: f64,
}

impl From<PmReport> for PerformanceReport {
    fn from(report: PmReport) -> Self {
        let entries = report
            .entries
            .into_iter()
            .map(|e| PerformanceReportEntry {
                object_type: crate::engine::NS_OBJECT.to_owned(),
                object_instance_id: e.ns_instance_id,
                performance_metric: e.metric.as_str().to_owned(),
                performance_values: e
                    .values
                    .into_iter()
                    .map(|s| PerformanceValue { time_stamp: ids::rfc3339(s.time), value: s.value })
                    .collect(),
            })
            .collect();
        Self { entries }
    }
}

/// SOL005 `CreateThresholdRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateThresholdRequest {
    /// `NS`.
    pub object_type: String,
    /// The NS instance measured.
    #[schema(max_length = 64)]
    pub object_instance_id: String,
    pub criteria: ThresholdCriteria,
    /// Where crossings are notified, as a PM job's callback.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z0-9]+([.-][a-z0-9]+)*(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]*)*$"
    )]
    pub callback_uri: String,
}

/// SOL005 `ThresholdCriteria`: a simple threshold on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThresholdCriteria {
    /// One of the metrics of a PM job.
    pub performance_metric: String,
    pub threshold_type: ThresholdType,
    pub simple_threshold_details: SimpleThresholdDetails,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ThresholdType {
    Simple,
}

/// Crossed upward above `thresholdValue + hysteresis`, downward below
/// `thresholdValue - hysteresis`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SimpleThresholdDetails {
    pub threshold_value: f64,
    /// At least 0.
    #[schema(minimum = 0)]
    pub hysteresis: f64,
}

/// SOL005 `Threshold`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdInfo {
    pub id: String,
    pub object_type: String,
    pub object_instance_id: String,
    pub criteria: ThresholdCriteria,
    pub callback_uri: String,
    #[serde(rename = "_links")]
    pub links: ThresholdLinks,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
    pub object: Link,
}

impl From<Threshold> for ThresholdInfo {
    fn from(t: Threshold) -> Self {
        Self {
            links: ThresholdLinks {
                self_link: Link::to(format!("/nspm/v1/thresholds/{}", t.id)),
                object: instance_link(&t.ns_instance_id),
            },
            id: t.id,
            object_type: crate::engine::NS_OBJECT.to_owned(),
            object_instance_id: t.ns_instance_id,
            criteria: ThresholdCriteria {
                performance_metric: t.metric.as_str().to_owned(),
                threshold_type: ThresholdType::Simple,
                simple_threshold_details: SimpleThresholdDetails {
                    threshold_value: t.value,
                    hysteresis: t.hysteresis,
                },
            },
            callback_uri: t.callback_uri,
        }
    }
}

impl From<CreateThresholdRequest> for NewThreshold {
    fn from(r: CreateThresholdRequest) -> Self {
        let details = r.criteria.simple_threshold_details;
        Self {
            object_type: r.object_type,
            ns_instance_id: r.object_instance_id,
            metric: r.criteria.performance_metric,
            value: details.threshold_value,
            hysteresis: details.hysteresis,
            callback_uri: r.callback_uri,
        }
    }
}

fn instance_link(ns: &str) -> Link {
    Link::to(format!("/nslcm/v1/ns_instances/{ns}"))
}
