//! popd's registry on disk: one SQLite database (`popd.sqlite` in the data directory) in WAL
//! mode. The core writes every change here inside the same critical section as the in-memory
//! change, each change in one transaction, so that a `kill -9` loses nothing acknowledged.

mod containers;
mod networks;
mod schema;
mod sessions;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use sessions::Session;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "popd.sqlite";

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("sqlite failed to {op}")]
    Sqlite {
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the store holds an unreadable {what}; fix or remove {DB_FILE}")]
    Corrupt { what: String },
}

pub(crate) fn sql(op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { op, source }
}

/// The SQLite store. One connection behind a mutex: popd's writes are small and the core
/// serialises them anyway.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) `DIR/popd.sqlite`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::DataDir { path: dir.to_owned(), source })?;
        let conn = Connection::open(dir.join(DB_FILE)).map_err(sql("open the database"))?;
        Self::setup(conn)
    }

    /// A store that lives in memory only, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory().map_err(sql("open the database"))?)
    }

    fn setup(conn: Connection) -> Result<Self, StoreError> {
        // WAL: a committed transaction is in the log before the call returns, so a killed
        // process loses nothing; NORMAL sync only risks the last commits on a power cut.
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(sql("enable WAL"))?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(sql("set pragmas"))?;
        schema::migrate(&conn)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the connection leaves no half transaction (SQLite rolls back),
        // so the connection stays usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests;
