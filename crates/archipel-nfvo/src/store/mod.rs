//! The orchestrator's store: one SQLite database (`nfvo.sqlite` in the data directory) in WAL
//! mode, holding the onboarded NSDs (as posted), the sites (their secrets sealed, see [`seal`]),
//! the NSRs, the operation occurrences, the journal of everything the operations made at the
//! sites, the SOL005 subscriptions, PM jobs, thresholds and reports, and the API's users, login
//! tokens and API keys (hashes only).

mod nsds;
mod nsrs;
mod ops;
mod packages;
mod pm;
mod resources;
mod schema;
pub mod seal;
mod sites;
mod subscriptions;
mod users;

use std::path::Path;

pub use archipel_daemon::store::StoreError;
pub(crate) use archipel_daemon::store::{corrupt_by as corrupt, sql};
pub use packages::PackageRecord;
pub use resources::{Resource, ResourceKind, ResourceState};
pub use seal::{SealError, Sealer};
pub use users::{ApiKeyRecord, UserDeleted, UserRecord};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "nfvo.sqlite";

archipel_daemon::sqlite_store!(
    /// The SQLite tables; every write is one short transaction.
    struct Tables in DB_FILE, migrations schema::MIGRATIONS
);

/// Why the store cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the database")]
    Store(#[from] StoreError),
    #[error("cannot use the key that seals the site secrets")]
    Key(#[from] SealError),
}

/// The store: its tables and the key that seals the site secrets.
#[derive(Debug)]
pub struct Store {
    tables: Tables,
    sealer: Sealer,
}

impl Store {
    /// Opens (creating if needed) the database and the key file in `dir`, and seals the site
    /// secrets an older build left in clear.
    pub fn open(dir: &Path) -> Result<Self, OpenError> {
        let tables = Tables::open(dir)?;
        let store = Self { tables, sealer: Sealer::open(dir)? };
        let sealed = store.seal_clear_secrets()?;
        if sealed > 0 {
            tracing::info!(sites = sealed, "site secrets found in clear were sealed");
        }
        Ok(store)
    }

    /// A store that lives in memory only, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self { tables: Tables::in_memory()?, sealer: Sealer::ephemeral() })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, archipel_daemon::store::Connection> {
        self.tables.conn()
    }
}

#[cfg(test)]
mod tests;
