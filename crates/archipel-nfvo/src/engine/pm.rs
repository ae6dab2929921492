//! NS performance management (SOL005 §7): PM jobs and thresholds, checked (their callback
//! tested as a subscription's is), stored, and given to the notifier. The collector
//! ([`super::collect`]) measures and reports.

use super::subscriptions::check_uri;
use super::Nfvo;
use crate::error::NfvoError;
use crate::ids;
use crate::model::{Metric, PmJob, PmReport, Threshold, METRIC_GROUP};

/// How many PM jobs, and how many thresholds, the NFVO holds at most.
pub const PM_LIMIT: usize = 100;
/// How many NS instances one PM job measures at most.
pub const OBJECTS_LIMIT: usize = 64;
/// The longest collection or reporting period, in seconds: a day.
pub const PERIOD_MAX: u32 = 86_400;
/// How many reports of a job are kept: the newest.
pub const REPORTS_KEPT: usize = 16;
/// The only object type measured.
pub const NS_OBJECT: &str = "NS";

/// What a client asks of a new PM job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPmJob {
    pub object_type: String,
    pub ns_instance_ids: Vec<String>,
    pub metrics: Vec<String>,
    pub metric_groups: Vec<String>,
    pub collection_period: u32,
    pub reporting_period: u32,
    /// RFC 3339.
    pub reporting_boundary: Option<String>,
    pub callback_uri: String,
}

/// What a client asks of a new threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct NewThreshold {
    pub object_type: String,
    pub ns_instance_id: String,
    pub metric: String,
    pub value: f64,
    pub hysteresis: f64,
    pub callback_uri: String,
}

impl Nfvo {
    /// Checks and stores a PM job once its callback answered the test; it collects from the
    /// collector's next pass on.
    pub async fn create_pm_job(&self, request: NewPmJob) -> Result<PmJob, NfvoError> {
        check_object_type(&request.object_type)?;
        let metrics = metrics_of(&request.metrics, &request.metric_groups)?;
        let (collection, reporting) = (request.collection_period, request.reporting_period);
        if !(1..=PERIOD_MAX).contains(&collection) || !(1..=PERIOD_MAX).contains(&reporting) {
            return Err(invalid(format!(
                "criteria: the collection and reporting periods are 1 to {PERIOD_MAX} seconds"
            )));
        }
        if reporting % collection != 0 {
            return Err(invalid(format!(
                "criteria.reportingPeriod ({reporting} s) is not a multiple of \
                 criteria.collectionPeriod ({collection} s)"
            )));
        }
        let boundary = match &request.reporting_boundary {
            None => None,
            Some(text) => Some(ids::parse_rfc3339(text).ok_or_else(|| {
                invalid(format!("criteria.reportingBoundary {text:?} is not an RFC 3339 time"))
            })?),
        };
        self.check_objects(&request.ns_instance_ids)?;
        check_uri(&request.callback_uri)?;
        self.test_callback(&request.callback_uri).await?;
        let _gate = self.gate();
        self.check_room(self.store().pm_jobs()?.len(), "PM jobs")?;
        let job = PmJob {
            id: ids::new_id(),
            ns_instance_ids: request.ns_instance_ids,
            metrics,
            collection_period: collection,
            reporting_period: reporting,
            reporting_boundary: boundary,
            callback_uri: request.callback_uri,
            created: ids::now(),
        };
        self.store().put_pm_job(&job)?;
        self.events().notifier().add_target(&job.id, &job.callback_uri);
        tracing::info!(id = %job.id, "PM job created");
        Ok(job)
    }

    /// Every PM job, oldest first.
    pub fn pm_jobs(&self) -> Result<Vec<PmJob>, NfvoError> {
        Ok(self.store().pm_jobs()?)
    }

    pub fn pm_job(&self, id: &str) -> Result<PmJob, NfvoError> {
        self.store().pm_job(id)?.ok_or_else(|| not_found("PM job", id))
    }

    /// The reports of a job kept now, oldest first.
    pub fn pm_reports(&self, job_id: &str) -> Result<Vec<PmReport>, NfvoError> {
        self.pm_job(job_id)?;
        Ok(self.store().pm_reports(job_id)?)
    }

    pub fn pm_report(&self, job_id: &str, id: &str) -> Result<PmReport, NfvoError> {
        let found = self.pm_reports(job_id)?.into_iter().find(|r| r.id == id);
        found.ok_or_else(|| not_found("performance report", id))
    }

    /// Points a PM job's notifications at another callback, once it answered the test.
    pub async fn modify_pm_job(&self, id: &str, callback_uri: String) -> Result<(), NfvoError> {
        self.pm_job(id)?;
        check_uri(&callback_uri)?;
        self.test_callback(&callback_uri).await?;
        let _gate = self.gate();
        let mut job = self.pm_job(id)?;
        job.callback_uri = callback_uri;
        self.store().put_pm_job(&job)?;
        self.events().notifier().add_target(id, &job.callback_uri);
        Ok(())
    }

    /// Deletes a PM job and its reports; what is queued for its callback is not delivered.
    pub fn delete_pm_job(&self, id: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        self.pm_job(id)?;
        self.forget_pm(id);
        tracing::info!(%id, "PM job deleted");
        Ok(())
    }

    /// Checks and stores a threshold once its callback answered the test; it is checked from
    /// the collector's next pass on.
    pub async fn create_threshold(&self, request: NewThreshold) -> Result<Threshold, NfvoError> {
        check_object_type(&request.object_type)?;
        let metric =
            Metric::parse(&request.metric).ok_or_else(|| unknown_metric(&request.metric))?;
        if !request.value.is_finite() || !request.hysteresis.is_finite() || request.hysteresis < 0.0
        {
            return Err(invalid(
                "criteria.simpleThresholdDetails: thresholdValue is a number, hysteresis a \
                 number of at least 0"
                    .to_owned(),
            ));
        }
        self.check_objects(std::slice::from_ref(&request.ns_instance_id))?;
        check_uri(&request.callback_uri)?;
        self.test_callback(&request.callback_uri).await?;
        let _gate = self.gate();
        self.check_room(self.store().thresholds()?.len(), "thresholds")?;
        let threshold = Threshold {
            id: ids::new_id(),
            ns_instance_id: request.ns_instance_id,
            metric,
            value: request.value,
            hysteresis: request.hysteresis,
            callback_uri: request.callback_uri,
            created: ids::now(),
        };
        self.store().put_threshold(&threshold)?;
        self.events().notifier().add_target(&threshold.id, &threshold.callback_uri);
        tracing::info!(id = %threshold.id, "threshold created");
        Ok(threshold)
    }

    /// Every threshold, oldest first.
    pub fn thresholds(&self) -> Result<Vec<Threshold>, NfvoError> {
        Ok(self.store().thresholds()?)
    }

    pub fn threshold(&self, id: &str) -> Result<Threshold, NfvoError> {
        self.store().threshold(id)?.ok_or_else(|| not_found("threshold", id))
    }

    /// Points a threshold's notifications at another callback, once it answered the test.
    pub async fn modify_threshold(&self, id: &str, callback_uri: String) -> Result<(), NfvoError> {
        self.threshold(id)?;
        check_uri(&callback_uri)?;
        self.test_callback(&callback_uri).await?;
        let _gate = self.gate();
        let mut threshold = self.threshold(id)?;
        threshold.callback_uri = callback_uri;
        self.store().put_threshold(&threshold)?;
        self.events().notifier().add_target(id, &threshold.callback_uri);
        Ok(())
    }

    pub fn delete_threshold(&self, id: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        self.threshold(id)?;
        self.forget_pm(id);
        tracing::info!(%id, "threshold deleted");
        Ok(())
    }

    fn forget_pm(&self, id: &str) {
        if let Err(err) = self.store().delete_pm(id) {
            tracing::warn!(%id, error = %crate::error::chain(&err), "cannot delete");
        }
        self.events().notifier().remove(id);
    }

    fn check_objects(&self, ids: &[String]) -> Result<(), NfvoError> {
        if ids.is_empty() || ids.len() > OBJECTS_LIMIT {
            return Err(invalid(format!(
                "objectInstanceIds holds {} ids: 1 to {OBJECTS_LIMIT} are taken",
                ids.len()
            )));
        }
        for id in ids {
            if id.len() > 64 || self.store().nsr(id)?.is_none() {
                return Err(invalid(format!("objectInstanceIds: no NS instance {id:.64}")));
            }
        }
        Ok(())
    }

    fn check_room(&self, held: usize, what: &str) -> Result<(), NfvoError> {
        if held >= PM_LIMIT {
            return Err(invalid(format!(
                "the NFVO holds {PM_LIMIT} {what} already: delete one first"
            )));
        }
        Ok(())
    }
}

fn check_object_type(object_type: &str) -> Result<(), NfvoError> {
    if object_type != NS_OBJECT {
        return Err(invalid(format!(
            "objectType {object_type:.64}: only NS instances are measured here (objectType NS)"
        )));
    }
    Ok(())
}

/// The metrics named, and those of the groups named, each once, in their order.
fn metrics_of(names: &[String], groups: &[String]) -> Result<Vec<Metric>, NfvoError> {
    if names.len() + groups.len() > Metric::ALL.len() * 4 {
        return Err(invalid("criteria names too many metrics".to_owned()));
    }
    let mut metrics = Vec::new();
    for name in names {
        metrics.push(Metric::parse(name).ok_or_else(|| unknown_metric(name))?);
    }
    for group in groups {
        if group != METRIC_GROUP {
            return Err(invalid(format!(
                "criteria.performanceMetricGroup holds {group:.64}: the one group is {METRIC_GROUP}"
            )));
        }
        metrics.extend(Metric::ALL);
    }
    if metrics.is_empty() {
        return Err(invalid(
            "criteria names no performanceMetric and no performanceMetricGroup".to_owned(),
        ));
    }
    metrics.sort();
    metrics.dedup();
    Ok(metrics)
}

fn unknown_metric(name: &str) -> NfvoError {
    let known: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
    invalid(format!("no metric {name:.64}: the metrics are {}", known.join(", ")))
}

fn invalid(reason: String) -> NfvoError {
    NfvoError::InvalidRequest { reason }
}

fn not_found(what: &'static str, id: &str) -> NfvoError {
    NfvoError::NotFound { what, id: id.to_owned() }
}
