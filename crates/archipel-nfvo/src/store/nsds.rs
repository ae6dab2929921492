use rusqlite::{params, OptionalExtension, Row};

use super::{sql, Store, StoreError};
use crate::model::NsdRecord;

const COLUMNS: &str = "id, name, vendor, version, onboarded, content";

fn nsd(r: &Row<'_>) -> rusqlite::Result<NsdRecord> {
    Ok(NsdRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        vendor: r.get(2)?,
        version: r.get(3)?,
        onboarded: r.get(4)?,
        content: r.get(5)?,
    })
}

impl Store {
    pub fn insert_nsd(&self, nsd: &NsdRecord) -> Result<(), StoreError> {
        self.conn()
            .execute(
                &format!("INSERT INTO nsds ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
                params![nsd.id, nsd.name, nsd.vendor, nsd.version, nsd.onboarded, nsd.content],
            )
            .map_err(sql("insert an NSD"))?;
        Ok(())
    }

    pub fn nsd(&self, id: &str) -> Result<Option<NsdRecord>, StoreError> {
        self.conn()
            .query_row(&format!("SELECT {COLUMNS} FROM nsds WHERE id = ?1"), [id], nsd)
            .optional()
            .map_err(sql("read an NSD"))
    }

    /// Every NSD, oldest first.
    pub fn nsds(&self) -> Result<Vec<NsdRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {COLUMNS} FROM nsds ORDER BY onboarded, rowid"))
            .map_err(sql("list NSDs"))?;
        let rows = stmt.query_map([], nsd).map_err(sql("list NSDs"))?;
        rows.collect::<Result<_, _>>().map_err(sql("list NSDs"))
    }

    /// Whether there was one to delete.
    pub fn delete_nsd(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM nsds WHERE id = ?1", [id])
            .map_err(sql("delete an NSD"))?;
        Ok(n > 0)
    }
}
