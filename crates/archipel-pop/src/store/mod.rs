//! popd's registry on disk: one SQLite database (`popd.sqlite` in the data directory) in WAL
//! mode. The core writes every change here inside the same critical section as the in-memory
//! change, each change in one transaction, so that a `kill -9` loses nothing acknowledged.

mod containers;
mod networks;
mod schema;
mod sessions;

pub use archipel_daemon::store::StoreError;
pub(crate) use archipel_daemon::store::{corrupt, sql};
pub use sessions::Session;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "popd.sqlite";

archipel_daemon::sqlite_store!(
    /// The SQLite store: popd's writes are small and the core serialises them anyway.
    pub struct Store in DB_FILE, migrations schema::MIGRATIONS
);

#[cfg(test)]
mod tests;
