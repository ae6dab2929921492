use rusqlite::{params, OptionalExtension, Row};

use super::{sql, Store, StoreError};

/// A VNF package: made empty, then onboarded once its content is uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRecord {
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// `Metadata.yaml`'s name, once uploaded.
    pub name: Option<String>,
    /// The package's tar, once uploaded.
    pub content: Option<Vec<u8>>,
    /// Disabled by a client: no new NSD may name it.
    pub disabled: bool,
}

impl PackageRecord {
    /// SOL005's `operationalState`: ENABLED once onboarded, until a client disables it.
    pub fn enabled(&self) -> bool {
        self.content.is_some() && !self.disabled
    }

    /// Its version as an HTTP entity tag: what a client's change is made against.
    pub fn etag(&self) -> String {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        (&self.id, self.content.is_some(), self.disabled).hash(&mut hasher);
        format!("\"{:016x}\"", hasher.finish())
    }
}

const COLUMNS: &str = "id, created, name, content, disabled";

fn package(r: &Row<'_>) -> rusqlite::Result<PackageRecord> {
    Ok(PackageRecord {
        id: r.get(0)?,
        created: r.get(1)?,
        name: r.get(2)?,
        content: r.get(3)?,
        disabled: r.get(4)?,
    })
}

impl Store {
    pub fn insert_package(&self, record: &PackageRecord) -> Result<(), StoreError> {
        self.conn()
            .execute(
                &format!("INSERT INTO vnf_packages ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
                params![record.id, record.created, record.name, record.content, record.disabled],
            )
            .map_err(sql("insert a VNF package"))?;
        Ok(())
    }

    /// Gives an empty package its content; false if there is no such package or it has one.
    pub fn upload_package(&self, id: &str, name: &str, content: &[u8]) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "UPDATE vnf_packages SET name = ?2, content = ?3 WHERE id = ?1 AND content IS NULL",
                params![id, name, content],
            )
            .map_err(sql("upload a VNF package"))?;
        Ok(n > 0)
    }

    pub fn package(&self, id: &str) -> Result<Option<PackageRecord>, StoreError> {
        self.conn()
            .query_row(&format!("SELECT {COLUMNS} FROM vnf_packages WHERE id = ?1"), [id], package)
            .optional()
            .map_err(sql("read a VNF package"))
    }

    /// Every package, oldest first.
    pub fn packages(&self) -> Result<Vec<PackageRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {COLUMNS} FROM vnf_packages ORDER BY created, rowid"))
            .map_err(sql("list VNF packages"))?;
        let rows = stmt.query_map([], package).map_err(sql("list VNF packages"))?;
        rows.collect::<Result<_, _>>().map_err(sql("list VNF packages"))
    }

    /// Whether there was such a package.
    pub fn set_package_disabled(&self, id: &str, disabled: bool) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("UPDATE vnf_packages SET disabled = ?2 WHERE id = ?1", params![id, disabled])
            .map_err(sql("enable or disable a VNF package"))?;
        Ok(n > 0)
    }

    /// Whether there was one to delete.
    pub fn delete_package(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM vnf_packages WHERE id = ?1", [id])
            .map_err(sql("delete a VNF package"))?;
        Ok(n > 0)
    }
}
