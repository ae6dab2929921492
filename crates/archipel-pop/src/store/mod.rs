//! popd's registry on disk: one SQLite database (`popd.sqlite` in the data directory) in WAL
//! mode. The core writes every change here inside the same critical section as the in-memory
//! change, each change in one transaction, so that a `kill -9` loses nothing acknowledged.

mod containers;
mod networks;
mod schema;
mod sessions;

use std::path::Path;
use std::sync::MutexGuard;

use archipel_daemon::store::Db;
use rusqlite::Connection;

pub use archipel_daemon::store::StoreError;
pub(crate) use archipel_daemon::store::{corrupt, sql};
pub use sessions::Session;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "popd.sqlite";

/// The SQLite store (the daemon kit's [`Db`]): popd's writes are small and the core
/// serialises them anyway.
#[derive(Debug)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens (creating if needed) `DIR/popd.sqlite`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Ok(Self { db: Db::open(dir, DB_FILE, schema::MIGRATIONS)? })
    }

    /// A store that lives in memory only, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self { db: Db::in_memory(schema::MIGRATIONS)? })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }
}

#[cfg(test)]
mod tests;
