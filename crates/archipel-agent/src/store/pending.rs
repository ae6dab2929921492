//! The master's creates in progress: a create is recorded before any other site is asked
//! anything, again with its whole plan before any site makes anything, and forgotten once it has
//! succeeded or been undone. A record found at start
//! is a create the agent died in: its caller was told it failed, so it is undone everywhere.

use archipel_daemon::store::corrupt;
use rusqlite::params;

use super::{sql, Store, StoreError};
use crate::model::Service;

impl Store {
    /// Records that the create of `service` (nothing made yet) is in progress.
    pub fn put_pending(&self, service: &Service) -> Result<(), StoreError> {
        let body = serde_json::to_string(service).map_err(|_| corrupt("pending create"))?;
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO pending_create (global_id, body) VALUES (?1, ?2)",
                params![service.global_id, body],
            )
            .map_err(sql("record a create"))?;
        Ok(())
    }

    /// Every create in progress, oldest id first.
    pub fn pending(&self) -> Result<Vec<Service>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT body FROM pending_create ORDER BY global_id")
            .map_err(sql("read pending creates"))?;
        let bodies = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("read pending creates"))?;
        bodies
            .iter()
            .map(|b| serde_json::from_str(b).map_err(|_| corrupt("pending create")))
            .collect()
    }

    /// The create of `global_id` has ended, either way.
    pub fn drop_pending(&self, global_id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM pending_create WHERE global_id = ?1", params![global_id])
            .map_err(sql("forget a create"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Params, ServiceType};

    #[test]
    fn a_create_is_kept_until_it_ends() {
        let store = Store::in_memory().unwrap();
        let service = Service {
            global_id: "a-1".into(),
            kind: ServiceType::L2,
            name: "x".into(),
            master: "a".into(),
            params: Params { vni: Some(7), ..Params::default() },
            resources: Vec::new(),
        };
        store.put_pending(&service).unwrap();
        store.put_pending(&service).unwrap();
        assert_eq!(store.pending().unwrap(), vec![service]);
        store.drop_pending("a-1").unwrap();
        assert!(store.pending().unwrap().is_empty());
    }
}
