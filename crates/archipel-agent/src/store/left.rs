//! A participant's record of the services it has left, with the revision of the view it held,
//! so that a join overtaken by its leave is refused ([`crate::core`]'s join).

use rusqlite::{params, OptionalExtension};

use super::{sql, Cached, Store, StoreError};

impl Store {
    /// This site has left `global_id` as of the view `revision` (0: one it never held).
    pub fn mark_left(&self, global_id: &str, revision: u64) -> Result<(), StoreError> {
        let revision = i64::try_from(revision).unwrap_or(i64::MAX);
        self.conn()
            .run(
                "INSERT INTO left_service (global_id, revision) VALUES (?1, ?2) \
                 ON CONFLICT (global_id) DO UPDATE SET revision = max(revision, ?2)",
                params![global_id, revision],
            )
            .map_err(sql("record a leave"))?;
        Ok(())
    }

    /// The revision as of which this site left `global_id`, if it did.
    pub fn left_at(&self, global_id: &str) -> Result<Option<u64>, StoreError> {
        let revision: Option<i64> = self
            .conn()
            .row(
                "SELECT revision FROM left_service WHERE global_id = ?1",
                params![global_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("read a leave"))?;
        Ok(revision.map(|r| u64::try_from(r).unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leave_keeps_the_newest_revision() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.left_at("a-1").unwrap(), None);
        store.mark_left("a-1", 3).unwrap();
        store.mark_left("a-1", 0).unwrap();
        assert_eq!(store.left_at("a-1").unwrap(), Some(3));
    }
}
