//! The orchestrator's store: one SQLite database (`nfvo.sqlite` in the data directory) in WAL
//! mode, holding the onboarded NSDs (as posted), the sites, the NSRs, the operation occurrences
//! and the journal of everything the operations made at the sites.

mod nsds;
mod nsrs;
mod ops;
mod resources;
mod schema;
mod sites;

use std::path::Path;
use std::sync::MutexGuard;

use archipel_daemon::store::Db;
use rusqlite::Connection;

pub use archipel_daemon::store::StoreError;
pub(crate) use archipel_daemon::store::{corrupt_by as corrupt, sql};
pub use resources::{Resource, ResourceKind, ResourceState};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "nfvo.sqlite";

/// The SQLite store (the daemon kit's [`Db`]); every write is one short transaction.
#[derive(Debug)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens (creating if needed) `DIR/nfvo.sqlite`.
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
