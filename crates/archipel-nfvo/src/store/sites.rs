use rusqlite::{params, OptionalExtension};

use super::seal;
use super::{corrupt, sql, Store, StoreError};
use crate::model::Site;

const COLUMNS: &str =
    "name, pop_endpoint, username, password, agent_endpoint, added, agent_token, tunnel_mtu";

/// The two secret columns, as the associated data names them.
const PASSWORD: &str = "password";
const AGENT_TOKEN: &str = "agent_token";

/// A row as stored: the secrets sealed.
type Row = (String, String, String, String, Option<String>, i64, Option<String>, Option<u32>);

impl Store {
    /// Whether it was added: false if a site of that name exists. Its secrets are sealed.
    pub fn insert_site(&self, s: &Site) -> Result<bool, StoreError> {
        let password = self.seal(&s.name, PASSWORD, &s.password)?;
        let token = s.agent_token.as_deref().map(|t| self.seal(&s.name, AGENT_TOKEN, t));
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
                    password,
                    s.agent_endpoint,
                    s.added,
                    token.transpose()?,
                    s.tunnel_mtu
                ],
            )
            .map_err(sql("insert a site"))?;
        Ok(n > 0)
    }

    pub fn site(&self, name: &str) -> Result<Option<Site>, StoreError> {
        let row = self
            .conn()
            .query_row(&format!("SELECT {COLUMNS} FROM sites WHERE name = ?1"), [name], |r| {
                Row::try_from(r)
            })
            .optional()
            .map_err(sql("read a site"))?;
        row.map(|row| self.unseal(row)).transpose()
    }

    /// Every site, by name.
    pub fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let rows: Vec<Row> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare(&format!("SELECT {COLUMNS} FROM sites ORDER BY name"))
                .map_err(sql("list sites"))?;
            let rows = stmt.query_map([], |r| Row::try_from(r)).map_err(sql("list sites"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list sites"))?
        };
        rows.into_iter().map(|row| self.unseal(row)).collect()
    }

    /// Whether there was one to delete.
    pub fn delete_site(&self, name: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM sites WHERE name = ?1", [name])
            .map_err(sql("delete a site"))?;
        Ok(n > 0)
    }

    /// Seals the secrets an older build stored in clear; how many sites had some. SQLite's
    /// secure delete and a truncating checkpoint keep the clear text out of the database's
    /// free pages and its WAL.
    pub(super) fn seal_clear_secrets(&self) -> Result<usize, StoreError> {
        let rows: Vec<(String, String, Option<String>)> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT name, password, agent_token FROM sites")
                .map_err(sql("list sites"))?;
            let rows = stmt
                .query_map([], |r| <(String, String, Option<String>)>::try_from(r))
                .map_err(sql("list sites"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list sites"))?
        };
        let clear: Vec<_> = rows
            .into_iter()
            .filter(|(_, pw, token)| {
                seal::is_clear(pw) || token.as_deref().is_some_and(seal::is_clear)
            })
            .collect();
        if clear.is_empty() {
            return Ok(0);
        }
        let mut conn = self.conn();
        conn.execute_batch("PRAGMA secure_delete = ON;").map_err(sql("set secure delete"))?;
        let tx = conn.transaction().map_err(sql("seal site secrets"))?;
        for (name, password, token) in &clear {
            let password = match seal::is_clear(password) {
                true => self.seal(name, PASSWORD, password)?,
                false => password.clone(),
            };
            let token = match token {
                Some(t) if seal::is_clear(t) => Some(self.seal(name, AGENT_TOKEN, t)?),
                other => other.clone(),
            };
            tx.execute(
                "UPDATE sites SET password = ?2, agent_token = ?3 WHERE name = ?1",
                params![name, password, token],
            )
            .map_err(sql("seal site secrets"))?;
        }
        tx.commit().map_err(sql("seal site secrets"))?;
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(sql("clear the free pages"))?;
        Ok(clear.len())
    }

    fn seal(&self, site: &str, field: &str, secret: &str) -> Result<String, StoreError> {
        self.sealer.seal(site, field, secret).map_err(corrupt(format!("{field} of site {site}")))
    }

    fn unseal(&self, row: Row) -> Result<Site, StoreError> {
        let (name, pop_endpoint, username, password, agent_endpoint, added, token, tunnel_mtu) =
            row;
        let open = |field: &str, sealed: &str| {
            self.sealer
                .open_sealed(&name, field, sealed)
                .map_err(corrupt(format!("{field} of site {name}")))
        };
        let password = open(PASSWORD, &password)?;
        let agent_token = token.map(|t| open(AGENT_TOKEN, &t)).transpose()?;
        Ok(Site {
            name,
            pop_endpoint,
            username,
            password,
            agent_endpoint,
            agent_token,
            tunnel_mtu,
            added,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Tables;

    #[test]
    fn secrets_are_sealed_at_rest_and_clear_rows_are_sealed_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let clear_password = "clear-popd-password-0123";
        {
            // A database of an older build: the secrets in clear.
            let tables = Tables::open(dir.path()).unwrap();
            tables
                .conn()
                .execute(
                    "INSERT INTO sites (name, pop_endpoint, username, password, agent_endpoint, \
                     added, agent_token) VALUES ('a', 'http://127.0.0.1:1', 'admin', ?1, \
                     'http://127.0.0.1:2', 1, 'clear-agent-token-4567')",
                    [clear_password],
                )
                .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let site = store.site("a").unwrap().unwrap();
        assert_eq!(site.password, clear_password);
        assert_eq!(site.agent_token.as_deref(), Some("clear-agent-token-4567"));
        let mut held = Vec::new();
        for file in ["nfvo.sqlite", "nfvo.sqlite-wal"] {
            held.extend(std::fs::read(dir.path().join(file)).unwrap_or_default());
        }
        for secret in [clear_password, "clear-agent-token-4567"] {
            let found = held.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} is still in the database files");
        }
        drop(store);
        let again = Store::open(dir.path()).unwrap();
        assert_eq!(again.site("a").unwrap().unwrap().password, clear_password);
    }
}
