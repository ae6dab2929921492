//! The master's creates in progress: a create is recorded before any other site is asked
//! anything, again with its whole plan before any site makes anything, and forgotten once it has
//! succeeded or been undone. A record found at start
//! is a create the agent died in: its caller was told it failed, so it is undone everywhere.
//!
//! A participant's joins in progress: a join is recorded before this site makes anything, with
//! whether its network is the join's own to make, and forgotten once the share is stored. A
//! join that failed or that the agent died in stays recorded: its master has the site leave
//! (or join again), and the leave removes what the record names, the network included.

use archipel_daemon::store::corrupt;
use rusqlite::{params, OptionalExtension};

use super::{sql, Cached, Store, StoreError};
use crate::model::Service;

impl Store {
    /// Records that the create of `service` (nothing made yet) is in progress.
    pub fn put_pending(&self, service: &Service) -> Result<(), StoreError> {
        let body = serde_json::to_string(service).map_err(|_| corrupt("pending create"))?;
        self.conn()
            .run(
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
            .prepare_cached("SELECT body FROM pending_create ORDER BY global_id")
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
            .run("DELETE FROM pending_create WHERE global_id = ?1", params![global_id])
            .map_err(sql("forget a create"))?;
        Ok(())
    }

    /// Records that this site is joining `service`; its own resource says whether the network
    /// is the join's to make.
    pub fn put_pending_join(&self, service: &Service) -> Result<(), StoreError> {
        let body = serde_json::to_string(service).map_err(|_| corrupt("pending join"))?;
        self.conn()
            .run(
                "INSERT OR REPLACE INTO pending_join (global_id, body) VALUES (?1, ?2)",
                params![service.global_id, body],
            )
            .map_err(sql("record a join"))?;
        Ok(())
    }

    /// The join of `global_id` in progress or failed, if any.
    pub fn pending_join(&self, global_id: &str) -> Result<Option<Service>, StoreError> {
        let body: Option<String> = self
            .conn()
            .row("SELECT body FROM pending_join WHERE global_id = ?1", params![global_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql("read a pending join"))?;
        body.map(|b| serde_json::from_str(&b).map_err(|_| corrupt("pending join"))).transpose()
    }

    /// The join of `global_id` has been stored as a share, or undone.
    pub fn drop_pending_join(&self, global_id: &str) -> Result<(), StoreError> {
        self.conn()
            .run("DELETE FROM pending_join WHERE global_id = ?1", params![global_id])
            .map_err(sql("forget a join"))?;
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
        assert_eq!(store.pending().unwrap(), vec![service.clone()]);
        store.drop_pending("a-1").unwrap();
        assert!(store.pending().unwrap().is_empty());
        assert_eq!(store.pending_join("a-1").unwrap(), None);
        store.put_pending_join(&service).unwrap();
        assert_eq!(store.pending_join("a-1").unwrap(), Some(service));
        store.drop_pending_join("a-1").unwrap();
        assert_eq!(store.pending_join("a-1").unwrap(), None);
    }
}
