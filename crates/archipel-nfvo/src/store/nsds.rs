use rusqlite::{params, OptionalExtension, Row};

use super::{sql, Store, StoreError};
use crate::model::{NsdDocument, NsdRecord};

const COLUMNS: &str = "id, onboarded, enabled, user_data, name, vendor, version, content";

fn nsd(r: &Row<'_>) -> rusqlite::Result<NsdRecord> {
    let content: Option<Vec<u8>> = r.get(7)?;
    let document = match content {
        Some(content) => {
            Some(NsdDocument { name: r.get(4)?, vendor: r.get(5)?, version: r.get(6)?, content })
        }
        None => None,
    };
    Ok(NsdRecord {
        id: r.get(0)?,
        onboarded: r.get(1)?,
        enabled: r.get(2)?,
        user_data: r.get(3)?,
        document,
    })
}

impl Store {
    pub fn insert_nsd(&self, nsd: &NsdRecord) -> Result<(), StoreError> {
        let doc = nsd.document.as_ref();
        self.conn()
            .execute(
                &format!("INSERT INTO nsds ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![
                    nsd.id,
                    nsd.onboarded,
                    nsd.enabled,
                    nsd.user_data,
                    doc.map(|d| &d.name),
                    doc.map(|d| &d.vendor),
                    doc.map(|d| &d.version),
                    doc.map(|d| &d.content),
                ],
            )
            .map_err(sql("insert an NSD"))?;
        Ok(())
    }

    /// Gives an empty NSD its document and enables it; false if there is no such NSD or it has
    /// one.
    pub fn upload_nsd(&self, id: &str, doc: &NsdDocument) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "UPDATE nsds SET name = ?2, vendor = ?3, version = ?4, content = ?5, enabled = 1 \
                 WHERE id = ?1 AND content IS NULL",
                params![id, doc.name, doc.vendor, doc.version, doc.content],
            )
            .map_err(sql("upload an NSD"))?;
        Ok(n > 0)
    }

    /// Sets what a client may change of an NSD: its operational state and its data.
    pub fn modify_nsd(
        &self,
        id: &str,
        enabled: bool,
        user_data: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "UPDATE nsds SET enabled = ?2, user_data = ?3 WHERE id = ?1",
                params![id, enabled, user_data],
            )
            .map_err(sql("modify an NSD"))?;
        Ok(n > 0)
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
