use rusqlite::{params, OptionalExtension};

use super::{sql, Store, StoreError};

/// A login session, stored by the hash of its token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: String,
    /// Unix seconds.
    pub expires: i64,
}

impl Store {
    pub fn put_session(&self, token_hash: &str, session: &Session) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO sessions (token_hash, user, expires) VALUES (?1, ?2, ?3)",
                params![token_hash, session.user, session.expires],
            )
            .map_err(sql("write a session"))?;
        Ok(())
    }

    pub fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        self.conn()
            .query_row(
                "SELECT user, expires FROM sessions WHERE token_hash = ?1",
                [token_hash],
                |r| Ok(Session { user: r.get(0)?, expires: r.get(1)? }),
            )
            .optional()
            .map_err(sql("read a session"))
    }

    pub fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .map_err(sql("delete a session"))?;
        Ok(())
    }

    /// Forgets every session expired at `now` (unix seconds); returns how many.
    pub fn purge_sessions(&self, now: i64) -> Result<usize, StoreError> {
        self.conn()
            .execute("DELETE FROM sessions WHERE expires <= ?1", [now])
            .map_err(sql("purge sessions"))
    }
}
