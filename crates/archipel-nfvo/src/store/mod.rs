//! The orchestrator's store: one SQLite database (`nfvo.sqlite` in the data directory) in WAL
//! mode, holding the onboarded NSDs (as posted), the sites, the NSRs, the operation occurrences
//! and the journal of everything the operations made at the sites.

mod nsds;
mod nsrs;
mod ops;
mod resources;
mod schema;
mod sites;

pub use archipel_daemon::store::StoreError;
pub(crate) use archipel_daemon::store::{corrupt_by as corrupt, sql};
pub use resources::{Resource, ResourceKind, ResourceState};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "nfvo.sqlite";

archipel_daemon::sqlite_store!(
    /// The SQLite store; every write is one short transaction.
    pub struct Store in DB_FILE, migrations schema::MIGRATIONS
);

#[cfg(test)]
mod tests;
