//! VNIs held for services being made: a master reserves its candidate at every participant
//! before it uses it, so that two masters making services over one site at once never get the
//! same VNI there. A reservation lapses at its deadline; by then the service, once joined,
//! holds the VNI itself.

use rusqlite::{params, OptionalExtension};

use super::{sql, Cached, Store, StoreError};

/// What uses or holds a VNI, other than the service `except`: a service, or a reservation
/// still running at `now`.
const HOLDER: &str = "
SELECT 'service ' || global_id FROM param
 WHERE vni = ?1 AND global_id != ?2
UNION ALL
SELECT 'a reservation of service ' || global_id FROM vni_reservation
 WHERE vni = ?1 AND global_id != ?2 AND expires > ?3
LIMIT 1";

fn holder(
    conn: &rusqlite::Connection,
    vni: u32,
    except: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    conn.row(HOLDER, params![vni, except, now], |r| r.get(0))
        .optional()
        .map_err(sql("look a VNI up"))
}

impl Store {
    /// Holds `vni` for `global_id` until `expires` unless another service uses it or holds it;
    /// returns what does then. Times are milliseconds since the Unix epoch. The check and the
    /// write are one transaction on the one connection, so two callers never both get it.
    pub fn reserve_vni(
        &self,
        vni: u32,
        global_id: &str,
        now: i64,
        expires: i64,
    ) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("begin"))?;
        tx.run("DELETE FROM vni_reservation WHERE expires <= ?1", params![now])
            .map_err(sql("drop lapsed reservations"))?;
        if let Some(conflict) = holder(&tx, vni, global_id, now)? {
            return Ok(Some(conflict));
        }
        tx.run(
            "INSERT OR REPLACE INTO vni_reservation (vni, global_id, expires) VALUES (?1, ?2, ?3)",
            params![vni, global_id, expires],
        )
        .map_err(sql("reserve a VNI"))?;
        tx.commit().map_err(sql("commit"))?;
        Ok(None)
    }

    /// What uses or holds `vni` at `now`, if anything.
    pub fn vni_holder(&self, vni: u32, now: i64) -> Result<Option<String>, StoreError> {
        holder(&self.conn(), vni, "", now)
    }

    /// Drops the reservation of `vni` if `global_id` holds it.
    pub fn release_vni(&self, vni: u32, global_id: &str) -> Result<(), StoreError> {
        self.conn()
            .run(
                "DELETE FROM vni_reservation WHERE vni = ?1 AND global_id = ?2",
                params![vni, global_id],
            )
            .map_err(sql("release a VNI"))?;
        Ok(())
    }

    /// Drops every reservation of `global_id`.
    pub fn release_vnis(&self, global_id: &str) -> Result<(), StoreError> {
        self.conn()
            .run("DELETE FROM vni_reservation WHERE global_id = ?1", params![global_id])
            .map_err(sql("release VNIs"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Params, Service, ServiceType};

    #[test]
    fn a_vni_is_held_for_one_service_until_released_or_lapsed() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.reserve_vni(7, "a-1", 0, 100).unwrap(), None);
        assert_eq!(store.reserve_vni(7, "a-1", 10, 110).unwrap(), None, "again for itself");
        let taken = store.reserve_vni(7, "b-1", 20, 120).unwrap();
        assert_eq!(taken.as_deref(), Some("a reservation of service a-1"));
        assert_eq!(store.vni_holder(7, 20).unwrap(), taken);
        assert_eq!(store.reserve_vni(7, "b-1", 110, 210).unwrap(), None, "lapsed at 110");

        store.release_vni(7, "a-1").unwrap();
        assert!(store.vni_holder(7, 120).unwrap().is_some(), "a-1 cannot drop b-1's");
        store.release_vnis("b-1").unwrap();
        assert_eq!(store.vni_holder(7, 120).unwrap(), None);
    }

    #[test]
    fn whether_a_service_uses_a_vni_is_looked_up_in_the_index() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {HOLDER}")).unwrap();
        let steps: Vec<String> = plan
            .query_map(params![7, "a-1", 0], |r| r.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(steps.iter().any(|s| s.contains("INDEX param_vni")), "{steps:?}");
    }

    #[test]
    fn a_service_stored_before_the_vni_had_its_column_keeps_its_vni_taken() {
        let dir = tempfile::tempdir().unwrap();
        let v4 = &super::super::MIGRATIONS[..4];
        let db = archipel_daemon::store::Db::open(dir.path(), super::super::DB_FILE, v4).unwrap();
        db.lock()
            .execute_batch(
                "INSERT INTO service VALUES ('a-1', 'l2', 'ext', 'a');
                 INSERT INTO param VALUES ('a-1', '{\"vni\":7}');",
            )
            .unwrap();
        drop(db);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.reserve_vni(7, "b-1", 0, 100).unwrap().as_deref(), Some("service a-1"));
        assert_eq!(store.service("a-1").unwrap().unwrap().params.vni, Some(7));
    }

    #[test]
    fn a_vni_used_by_a_stored_service_is_taken_for_any_other() {
        let store = Store::in_memory().unwrap();
        let service = Service {
            global_id: "a-1".into(),
            kind: ServiceType::L2,
            name: "ext".into(),
            master: "a".into(),
            params: Params { vni: Some(7), ..Params::default() },
            resources: Vec::new(),
        };
        store.put_service(&service).unwrap();
        assert_eq!(store.reserve_vni(7, "a-1", 0, 100).unwrap(), None);
        assert_eq!(store.reserve_vni(7, "b-1", 0, 100).unwrap().as_deref(), Some("service a-1"));
        assert_eq!(store.reserve_vni(8, "b-1", 0, 100).unwrap(), None);
    }
}
