//! PM jobs, thresholds and reports, each kept as its JSON body.

use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{corrupt, sql, Store, StoreError};
use crate::model::{PmJob, PmReport, Threshold};

const JOB: &str = "job";
const THRESHOLD: &str = "threshold";

fn body<T: Serialize>(value: &T, what: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(corrupt(what))
}

fn decode<T: DeserializeOwned>(text: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(corrupt(what))
}

impl Store {
    pub fn put_pm_job(&self, job: &PmJob) -> Result<(), StoreError> {
        self.put_pm(&job.id, JOB, &body(job, "PM job")?, job.created)
    }

    pub fn put_threshold(&self, threshold: &Threshold) -> Result<(), StoreError> {
        let text = body(threshold, "threshold")?;
        self.put_pm(&threshold.id, THRESHOLD, &text, threshold.created)
    }

    fn put_pm(&self, id: &str, kind: &str, body: &str, created: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO pm (id, kind, body, created) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                params![id, kind, body, created],
            )
            .map_err(sql("write a PM job or threshold"))?;
        Ok(())
    }

    /// Every PM job, oldest first.
    pub fn pm_jobs(&self) -> Result<Vec<PmJob>, StoreError> {
        self.pm_of(JOB)?.iter().map(|b| decode(b, "PM job")).collect()
    }

    /// Every threshold, oldest first.
    pub fn thresholds(&self) -> Result<Vec<Threshold>, StoreError> {
        self.pm_of(THRESHOLD)?.iter().map(|b| decode(b, "threshold")).collect()
    }

    fn pm_of(&self, kind: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT body FROM pm WHERE kind = ?1 ORDER BY created, rowid")
            .map_err(sql("list PM jobs or thresholds"))?;
        let rows = stmt.query_map([kind], |r| r.get(0)).map_err(sql("list PM jobs"))?;
        rows.collect::<Result<_, _>>().map_err(sql("list PM jobs or thresholds"))
    }

    pub fn pm_job(&self, id: &str) -> Result<Option<PmJob>, StoreError> {
        self.pm_one(id, JOB)?.map(|b| decode(&b, "PM job")).transpose()
    }

    pub fn threshold(&self, id: &str) -> Result<Option<Threshold>, StoreError> {
        self.pm_one(id, THRESHOLD)?.map(|b| decode(&b, "threshold")).transpose()
    }

    fn pm_one(&self, id: &str, kind: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT body FROM pm WHERE id = ?1 AND kind = ?2", [id, kind], |r| r.get(0))
            .optional()
            .map_err(sql("read a PM job or threshold"))
    }

    /// Deletes a PM job (its reports with it) or a threshold; whether there was one.
    pub fn delete_pm(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM pm WHERE id = ?1", [id])
            .map_err(sql("delete a PM job or threshold"))?;
        Ok(n > 0)
    }

    /// Adds a report, and keeps only the `keep` newest of its job.
    pub fn add_pm_report(&self, report: &PmReport, keep: usize) -> Result<(), StoreError> {
        let text = body(report, "PM report")?;
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("begin"))?;
        tx.execute(
            "INSERT INTO pm_reports (id, job_id, ready, body) VALUES (?1, ?2, ?3, ?4)",
            params![report.id, report.job_id, report.ready, text],
        )
        .map_err(sql("add a PM report"))?;
        tx.execute(
            "DELETE FROM pm_reports WHERE job_id = ?1 AND id NOT IN
                 (SELECT id FROM pm_reports WHERE job_id = ?1 ORDER BY ready DESC, rowid DESC LIMIT ?2)",
            params![report.job_id, keep],
        )
        .map_err(sql("drop old PM reports"))?;
        tx.commit().map_err(sql("commit"))
    }

    /// The reports of a job, oldest first.
    pub fn pm_reports(&self, job_id: &str) -> Result<Vec<PmReport>, StoreError> {
        let bodies: Vec<String> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT body FROM pm_reports WHERE job_id = ?1 ORDER BY ready, rowid")
                .map_err(sql("list PM reports"))?;
            let rows = stmt.query_map([job_id], |r| r.get(0)).map_err(sql("list PM reports"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list PM reports"))?
        };
        bodies.iter().map(|b| decode(b, "PM report")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Metric, ReportEntry, Sample};

    fn job(id: &str) -> PmJob {
        PmJob {
            id: id.into(),
            ns_instance_ids: vec!["ns".into()],
            metrics: vec![Metric::VnfcInstances],
            collection_period: 1,
            reporting_period: 2,
            reporting_boundary: None,
            callback_uri: "http://127.0.0.1:1/".into(),
            created: 1,
        }
    }

    fn report(job: &str, id: &str, ready: i64) -> PmReport {
        let values = vec![Sample { time: ready, value: 2.0 }];
        let entry =
            ReportEntry { ns_instance_id: "ns".into(), metric: Metric::VnfcInstances, values };
        PmReport { id: id.into(), job_id: job.into(), ready, entries: vec![entry] }
    }

    #[test]
    fn a_job_keeps_its_newest_reports_and_loses_them_with_it() {
        let store = Store::in_memory().unwrap();
        store.put_pm_job(&job("j")).unwrap();
        store.put_pm_job(&job("k")).unwrap();
        for i in 0..5 {
            store.add_pm_report(&report("j", &format!("r{i}"), i), 3).unwrap();
        }
        store.add_pm_report(&report("k", "other", 9), 3).unwrap();
        let kept: Vec<String> = store.pm_reports("j").unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(kept, ["r2", "r3", "r4"]);
        assert_eq!(store.pm_job("j").unwrap(), Some(job("j")));
        assert_eq!(store.threshold("j").unwrap(), None, "a job is no threshold");
        assert!(store.delete_pm("j").unwrap());
        assert!(store.pm_reports("j").unwrap().is_empty());
        assert_eq!(store.pm_reports("k").unwrap().len(), 1);
        assert!(!store.delete_pm("j").unwrap());
    }
}
