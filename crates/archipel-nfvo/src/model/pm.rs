//! NS performance management (SOL005 §7): the measurements an NS instance gives, PM jobs that
//! collect them into reports, and thresholds whose crossing is notified.

use serde::{Deserialize, Serialize};

use super::{Nsr, OpOcc};

/// A measurement of an NS instance. The names follow NFV-IFA 027's style; the measurements
/// are Archipel's own (vendor-specific), read from the NFVO's records when collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// Its VNFC instances.
    VnfcInstances,
    /// Its VNFC instances whose container runs, as the watch last saw them.
    VnfcInstancesRunning,
    /// Its alarms raised and not cleared.
    ActiveAlarms,
    /// The lifecycle operations run on it, whatever their outcome.
    LcmOperations,
}

/// The one metric group: every metric.
pub const GROUP: &str = "NsInstance";

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::VnfcInstances,
        Metric::VnfcInstancesRunning,
        Metric::ActiveAlarms,
        Metric::LcmOperations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::VnfcInstances => "VnfcInstances",
            Metric::VnfcInstancesRunning => "VnfcInstancesRunning",
            Metric::ActiveAlarms => "ActiveAlarms",
            Metric::LcmOperations => "LcmOperations",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// Its value for `nsr` now; `ops` holds at least the NS instance's operations.
    pub fn measure(self, nsr: &Nsr, ops: &[OpOcc]) -> f64 {
        let vnfcs = nsr.vnfrs.iter().flat_map(|v| &v.vnfcs);
        let count = match self {
            Metric::VnfcInstances => vnfcs.count(),
            Metric::VnfcInstancesRunning => vnfcs.filter(|c| c.pop_status == "RUNNING").count(),
            Metric::ActiveAlarms => nsr.alarms.iter().filter(|a| a.cleared.is_none()).count(),
            Metric::LcmOperations => ops.iter().filter(|op| op.nsr_id == nsr.id).count(),
        };
        u32::try_from(count).map_or(f64::from(u32::MAX), f64::from)
    }
}

/// A PM job: metrics of NS instances collected every `collection_period` seconds, reported
/// every `reporting_period`, each report notified to `callback_uri`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PmJob {
    pub id: String,
    pub ns_instance_ids: Vec<String>,
    pub metrics: Vec<Metric>,
    /// Seconds.
    pub collection_period: u32,
    /// Seconds: a multiple of the collection period.
    pub reporting_period: u32,
    /// Unix seconds after which nothing more is collected, if given.
    pub reporting_boundary: Option<i64>,
    pub callback_uri: String,
    /// Unix seconds.
    pub created: i64,
}

/// One report of a PM job: what it collected over one reporting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PmReport {
    pub id: String,
    pub job_id: String,
    /// Unix seconds.
    pub ready: i64,
    pub entries: Vec<ReportEntry>,
}

/// The values of one metric of one NS instance in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportEntry {
    pub ns_instance_id: String,
    pub metric: Metric,
    pub values: Vec<Sample>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Unix seconds.
    pub time: i64,
    pub value: f64,
}

/// A threshold on one metric of one NS instance: crossing `value` upward (the measurement goes
/// above `value + hysteresis`) or downward (below `value - hysteresis`) is notified to
/// `callback_uri`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Threshold {
    pub id: String,
    pub ns_instance_id: String,
    pub metric: Metric,
    pub value: f64,
    pub hysteresis: f64,
    pub callback_uri: String,
    /// Unix seconds.
    pub created: i64,
}

/// Where a measurement stands to a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Above,
    Below,
}

impl Threshold {
    /// The side `value` puts the measurement on; `None` within the hysteresis band, where it
    /// stays on the side it was.
    pub fn side(&self, value: f64) -> Option<Side> {
        if value > self.value + self.hysteresis {
            Some(Side::Above)
        } else if value < self.value - self.hysteresis {
            Some(Side::Below)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threshold(value: f64, hysteresis: f64) -> Threshold {
        Threshold {
            id: "t".into(),
            ns_instance_id: "ns".into(),
            metric: Metric::VnfcInstances,
            value,
            hysteresis,
            callback_uri: "http://x/".into(),
            created: 0,
        }
    }

    #[test]
    fn the_hysteresis_band_belongs_to_no_side() {
        let t = threshold(10.0, 1.0);
        assert_eq!(t.side(11.5), Some(Side::Above));
        assert_eq!(t.side(11.0), None);
        assert_eq!(t.side(9.0), None);
        assert_eq!(t.side(8.9), Some(Side::Below));
        assert_eq!(threshold(2.5, 0.0).side(3.0), Some(Side::Above));
    }

    #[test]
    fn metric_names_round_trip() {
        for metric in Metric::ALL {
            assert_eq!(Metric::parse(metric.as_str()), Some(metric));
        }
        assert_eq!(Metric::parse("CpuUsage"), None);
    }
}
