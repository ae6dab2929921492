//! The orchestrator's store: one SQLite database (`nfvo.sqlite` in the data directory) in WAL
//! mode, holding the onboarded NSDs (as posted), the sites, the NSRs, the operation occurrences
//! and the journal of everything the operations made at the sites.

mod nsds;
mod nsrs;
mod ops;
mod resources;
mod schema;
mod sites;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use resources::{Resource, ResourceKind, ResourceState};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "nfvo.sqlite";

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
    Corrupt {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub(crate) fn sql(op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { op, source }
}

pub(crate) fn corrupt<E>(what: &'static str) -> impl FnOnce(E) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |source| StoreError::Corrupt { what, source: Box::new(source) }
}

/// The SQLite store: one connection behind a mutex; every write is one short transaction.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) `DIR/nfvo.sqlite`.
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
        // process loses nothing it acknowledged.
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(sql("enable WAL"))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
            .map_err(sql("set pragmas"))?;
        schema::migrate(&conn)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // SQLite rolls back a transaction left open by a panic, so the connection stays usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests;
