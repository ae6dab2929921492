use rusqlite::{params, OptionalExtension, Row};

use super::{sql, Store, StoreError};
use crate::model::Site;

const COLUMNS: &str =
    "name, pop_endpoint, username, password, agent_endpoint, added, agent_token, tunnel_mtu";

fn site(r: &Row<'_>) -> rusqlite::Result<Site> {
    Ok(Site {
        name: r.get(0)?,
        pop_endpoint: r.get(1)?,
        username: r.get(2)?,
        password: r.get(3)?,
        agent_endpoint: r.get(4)?,
        added: r.get(5)?,
        agent_token: r.get(6)?,
        tunnel_mtu: r.get(7)?,
    })
}

impl Store {
    /// Whether it was added: false if a site of that name exists.
    pub fn insert_site(&self, s: &Site) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                &format!(
                    "INSERT INTO sites ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (name) DO NOTHING"
                ),
                params![
                    s.name,
                    s.pop_endpoint,
                    s.username,
                    s.password,
                    s.agent_endpoint,
                    s.added,
                    s.agent_token,
                    s.tunnel_mtu
                ],
            )
            .map_err(sql("insert a site"))?;
        Ok(n > 0)
    }

    pub fn site(&self, name: &str) -> Result<Option<Site>, StoreError> {
        self.conn()
            .query_row(&format!("SELECT {COLUMNS} FROM sites WHERE name = ?1"), [name], site)
            .optional()
            .map_err(sql("read a site"))
    }

    /// Every site, by name.
    pub fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {COLUMNS} FROM sites ORDER BY name"))
            .map_err(sql("list sites"))?;
        let rows = stmt.query_map([], site).map_err(sql("list sites"))?;
        rows.collect::<Result<_, _>>().map_err(sql("list sites"))
    }

    /// Whether there was one to delete.
    pub fn delete_site(&self, name: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM sites WHERE name = ?1", [name])
            .map_err(sql("delete a site"))?;
        Ok(n > 0)
    }
}
