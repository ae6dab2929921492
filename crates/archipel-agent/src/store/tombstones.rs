//! The master's tombstones: the sites that must still leave a service (deleted, or that they
//! were removed from) because they could not be reached.

use rusqlite::params;

use super::{sql, Cached, Store, StoreError};

impl Store {
    /// Records that `sites` must still leave the service `global_id`.
    pub fn add_tombstones(&self, global_id: &str, sites: &[String]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("begin"))?;
        for site in sites {
            tx.run(
                "INSERT OR IGNORE INTO tombstone (global_id, site) VALUES (?1, ?2)",
                params![global_id, site],
            )
            .map_err(sql("write a tombstone"))?;
        }
        tx.commit().map_err(sql("commit"))
    }

    /// Every (service, site) that must still leave, by service.
    pub fn tombstones(&self) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT global_id, site FROM tombstone ORDER BY global_id, site")
            .map_err(sql("read tombstones"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("read tombstones"))?;
        Ok(rows)
    }

    /// `site` has left `global_id`.
    pub fn remove_tombstone(&self, global_id: &str, site: &str) -> Result<(), StoreError> {
        self.conn()
            .run(
                "DELETE FROM tombstone WHERE global_id = ?1 AND site = ?2",
                params![global_id, site],
            )
            .map_err(sql("delete a tombstone"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstones_are_kept_until_each_site_has_left() {
        let store = Store::in_memory().unwrap();
        store.add_tombstones("a-1", &["b".into(), "c".into()]).unwrap();
        store.add_tombstones("a-1", &["b".into()]).unwrap();
        let both = vec![("a-1".to_owned(), "b".to_owned()), ("a-1".to_owned(), "c".to_owned())];
        assert_eq!(store.tombstones().unwrap(), both);
        store.remove_tombstone("a-1", "b").unwrap();
        assert_eq!(store.tombstones().unwrap(), both[1..]);
    }
}
