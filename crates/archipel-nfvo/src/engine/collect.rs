//! The collector of NS performance management. Every second: the PM jobs whose collection
//! period has come measure their NS instances; those whose reporting period has come write a
//! report and notify it (SOL005 `PerformanceInformationAvailableNotification`, one per NS
//! instance); every threshold is checked, and its crossing notified
//! (`ThresholdCrossedNotification`). What was collected but not yet reported, and the side of
//! each threshold, live in memory: a restart begins a new reporting period.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::task::JoinHandle;

use super::pm::{NS_OBJECT, REPORTS_KEPT};
use super::Nfvo;
use crate::error::{chain, NfvoError};
use crate::ids;
use crate::model::{Metric, Nsr, OpOcc, PmJob, PmReport, ReportEntry, Sample, Side, Threshold};

/// How often the collector looks at the jobs and thresholds.
pub const TICK: Duration = Duration::from_secs(1);

pub const PERFORMANCE_AVAILABLE: &str = "PerformanceInformationAvailableNotification";
pub const THRESHOLD_CROSSED: &str = "ThresholdCrossedNotification";

/// The running collector; dropping it stops it.
#[derive(Debug)]
pub struct Collecting {
    task: JoinHandle<()>,
}

impl Drop for Collecting {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the collector holds between its passes.
#[derive(Debug, Default)]
pub struct Collector {
    jobs: BTreeMap<String, JobState>,
    sides: BTreeMap<String, Side>,
}

#[derive(Debug)]
struct JobState {
    next_collection: i64,
    next_report: i64,
    collected: BTreeMap<(String, Metric), Vec<Sample>>,
}

impl Nfvo {
    /// Starts the collector.
    pub fn collect_performance(&self) -> Collecting {
        let nfvo = self.clone();
        let task = tokio::spawn(async move {
            let mut collector = Collector::default();
            let mut ticks = tokio::time::interval(TICK);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(err) = nfvo.collect(&mut collector, ids::now()) {
                    tracing::warn!(error = %chain(&err), "a collection pass failed");
                }
            }
        });
        Collecting { task }
    }

    /// One pass of the collector at `now` (Unix seconds).
    pub fn collect(&self, collector: &mut Collector, now: i64) -> Result<(), NfvoError> {
        let jobs = self.store().pm_jobs()?;
        let thresholds = self.store().thresholds()?;
        collector.jobs.retain(|id, _| jobs.iter().any(|j| &j.id == id));
        collector.sides.retain(|id, _| thresholds.iter().any(|t| &t.id == id));
        if jobs.is_empty() && thresholds.is_empty() {
            return Ok(());
        }
        let nsrs = self.store().nsrs()?;
        // Every operation occurrence ever: read only when a job or threshold counts them.
        let counts_ops = jobs.iter().flat_map(|j| &j.metrics).any(|m| *m == Metric::LcmOperations)
            || thresholds.iter().any(|t| t.metric == Metric::LcmOperations);
        let ops = if counts_ops { self.store().ops(None)? } else { Vec::new() };
        let world = World { nsrs: &nsrs, ops: &ops };
        for job in &jobs {
            let state = collector.jobs.entry(job.id.clone()).or_insert_with(|| JobState {
                next_collection: now,
                next_report: now + i64::from(job.reporting_period),
                collected: BTreeMap::new(),
            });
            self.run_job(job, state, &world, now)?;
        }
        for threshold in &thresholds {
            self.check(threshold, &mut collector.sides, &world, now);
        }
        Ok(())
    }

    fn run_job(
        &self,
        job: &PmJob,
        state: &mut JobState,
        world: &World<'_>,
        now: i64,
    ) -> Result<(), NfvoError> {
        let within = job.reporting_boundary.is_none_or(|end| now <= end);
        if within && now >= state.next_collection {
            for ns in &job.ns_instance_ids {
                for metric in &job.metrics {
                    if let Some(value) = world.measure(ns, *metric) {
                        let sample = Sample { time: now, value };
                        state.collected.entry((ns.clone(), *metric)).or_default().push(sample);
                    }
                }
            }
            state.next_collection = next(state.next_collection, job.collection_period, now);
        }
        if now < state.next_report {
            return Ok(());
        }
        state.next_report = next(state.next_report, job.reporting_period, now);
        if state.collected.is_empty() {
            return Ok(());
        }
        let entries: Vec<ReportEntry> = std::mem::take(&mut state.collected)
            .into_iter()
            .map(|((ns_instance_id, metric), values)| ReportEntry {
                ns_instance_id,
                metric,
                values,
            })
            .collect();
        let report = PmReport { id: ids::new_id(), job_id: job.id.clone(), ready: now, entries };
        self.store().add_pm_report(&report, REPORTS_KEPT)?;
        let mut reported: Vec<&str> =
            report.entries.iter().map(|e| e.ns_instance_id.as_str()).collect();
        reported.dedup();
        for ns in reported {
            self.events().notifier().send(&job.id, available(job, &report, ns));
        }
        Ok(())
    }

    fn check(
        &self,
        threshold: &Threshold,
        sides: &mut BTreeMap<String, Side>,
        world: &World<'_>,
        now: i64,
    ) {
        let Some(value) = world.measure(&threshold.ns_instance_id, threshold.metric) else {
            return;
        };
        let Some(side) = threshold.side(value) else { return };
        // The first measurement only tells the side: a crossing is a change of side.
        let Some(was) = sides.insert(threshold.id.clone(), side) else { return };
        if was != side {
            let direction = if side == Side::Above { "UP" } else { "DOWN" };
            tracing::info!(threshold = %threshold.id, value, direction, "threshold crossed");
            self.events().notifier().send(&threshold.id, crossed(threshold, direction, value, now));
        }
    }
}

/// The next due time after `due`, every `period` seconds, never at or before `now`.
fn next(due: i64, period: u32, now: i64) -> i64 {
    let after = due + i64::from(period);
    if after <= now {
        now + i64::from(period)
    } else {
        after
    }
}

/// The records a pass measures.
struct World<'a> {
    nsrs: &'a [Nsr],
    ops: &'a [OpOcc],
}

impl World<'_> {
    /// `None` when the NS instance is gone.
    fn measure(&self, ns: &str, metric: Metric) -> Option<f64> {
        let nsr = self.nsrs.iter().find(|n| n.id == ns)?;
        Some(metric.measure(nsr, self.ops))
    }
}

fn instance_link(ns: &str) -> Value {
    json!({ "href": format!("/nslcm/v1/ns_instances/{ns}") })
}

/// SOL005 `PerformanceInformationAvailableNotification`.
fn available(job: &PmJob, report: &PmReport, ns: &str) -> Value {
    let job_href = format!("/nspm/v1/pm_jobs/{}", job.id);
    json!({
        "id": ids::new_id(),
        "notificationType": PERFORMANCE_AVAILABLE,
        "timeStamp": ids::rfc3339(report.ready),
        "pmJobId": job.id,
        "objectType": NS_OBJECT,
        "objectInstanceId": ns,
        "_links": {
            "objectInstance": instance_link(ns),
            "pmJob": { "href": job_href },
            "performanceReport": { "href": format!("{job_href}/reports/{}", report.id) },
        },
    })
}

/// SOL005 `ThresholdCrossedNotification`.
fn crossed(threshold: &Threshold, direction: &str, value: f64, now: i64) -> Value {
    json!({
        "id": ids::new_id(),
        "notificationType": THRESHOLD_CROSSED,
        "timeStamp": ids::rfc3339(now),
        "thresholdId": threshold.id,
        "crossingDirection": direction,
        "objectType": NS_OBJECT,
        "objectInstanceId": threshold.ns_instance_id,
        "performanceMetric": threshold.metric.as_str(),
        "performanceValue": value,
        "_links": {
            "objectInstance": instance_link(&threshold.ns_instance_id),
            "threshold": { "href": format!("/nspm/v1/thresholds/{}", threshold.id) },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::next;

    #[test]
    fn a_late_pass_does_not_run_a_period_twice() {
        assert_eq!(next(100, 5, 100), 105);
        assert_eq!(next(100, 5, 103), 105);
        assert_eq!(next(100, 5, 112), 117);
    }
}
