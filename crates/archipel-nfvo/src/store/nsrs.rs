use rusqlite::{params, OptionalExtension};

use super::{corrupt, sql, Store, StoreError};
use crate::ids;
use crate::model::Nsr;

fn decode(json: String) -> Result<Nsr, StoreError> {
    let mut nsr: Nsr = serde_json::from_str(&json).map_err(corrupt("network-service record"))?;
    // Records written before VNFC instances carried their site: they ran on their VNF's.
    for vnfr in &mut nsr.vnfrs {
        for vnfc in vnfr.vnfcs.iter_mut().filter(|vnfc| vnfc.site.is_empty()) {
            vnfc.site = vnfr.site.clone();
        }
    }
    Ok(nsr)
}

fn encode(nsr: &Nsr) -> Result<String, StoreError> {
    serde_json::to_string(nsr).map_err(corrupt("network-service record"))
}

impl Store {
    /// Whether it was added: false if another NSR has the same short id.
    pub fn insert_nsr(&self, nsr: &Nsr) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "INSERT INTO nsrs (id, short_id, nsd_id, record) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
                params![nsr.id, ids::short(&nsr.id), nsr.nsd_id, encode(nsr)?],
            )
            .map_err(sql("insert an NSR"))?;
        Ok(n > 0)
    }

    /// Replaces the record.
    pub fn put_nsr(&self, nsr: &Nsr) -> Result<(), StoreError> {
        self.conn()
            .execute("UPDATE nsrs SET record = ?2 WHERE id = ?1", params![nsr.id, encode(nsr)?])
            .map_err(sql("update an NSR"))?;
        Ok(())
    }

    pub fn nsr(&self, id: &str) -> Result<Option<Nsr>, StoreError> {
        let json: Option<String> = self
            .conn()
            .query_row("SELECT record FROM nsrs WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(sql("read an NSR"))?;
        json.map(decode).transpose()
    }

    /// Every NSR, oldest first.
    pub fn nsrs(&self) -> Result<Vec<Nsr>, StoreError> {
        let json: Vec<String> = {
            let conn = self.conn();
            let mut stmt =
                conn.prepare("SELECT record FROM nsrs ORDER BY rowid").map_err(sql("list NSRs"))?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(sql("list NSRs"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list NSRs"))?
        };
        json.into_iter().map(decode).collect()
    }

    /// The id of an NSR made from NSD `nsd_id`, if any.
    pub fn nsr_of_nsd(&self, nsd_id: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT id FROM nsrs WHERE nsd_id = ?1 LIMIT 1", [nsd_id], |r| r.get(0))
            .optional()
            .map_err(sql("find the NSRs of an NSD"))
    }

    /// Deletes the record (its operation occurrences stay); whether there was one.
    pub fn delete_nsr(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM nsrs WHERE id = ?1", [id])
            .map_err(sql("delete an NSR"))?;
        Ok(n > 0)
    }
}
