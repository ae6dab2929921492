//! The SQLite scaffolding every daemon's store stands on: one database file in the data
//! directory, in WAL mode, its schema brought up to date by numbered migrations, one connection
//! behind a mutex (each daemon's writes are small and few), and the errors of all that.

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub use rusqlite::Connection;

/// Declares a daemon's store: a struct over a [`Db`] holding `FILE` in the data directory, with
/// `open(dir)`, `in_memory()` (for tests) and a private `conn()` for the daemon's queries.
///
/// ```ignore
/// archipel_daemon::sqlite_store!(pub struct Store in "popd.sqlite", migrations schema::MIGRATIONS);
/// ```
#[macro_export]
macro_rules! sqlite_store {
    ($(#[$meta:meta])* $vis:vis struct $name:ident in $file:expr, migrations $migrations:expr) => {
        $(#[$meta])*
        #[derive(Debug)]
        $vis struct $name {
            db: $crate::store::Db,
        }

        impl $name {
            /// Opens (creating if needed) the database in `dir`, its schema brought up to date.
            pub fn open(dir: &::std::path::Path) -> Result<Self, $crate::store::StoreError> {
                Ok(Self { db: $crate::store::Db::open(dir, $file, $migrations)? })
            }

            /// A store that lives in memory only, for tests.
            pub fn in_memory() -> Result<Self, $crate::store::StoreError> {
                Ok(Self { db: $crate::store::Db::in_memory($migrations)? })
            }

            fn conn(&self) -> ::std::sync::MutexGuard<'_, $crate::store::Connection> {
                self.db.lock()
            }
        }
    };
}

/// What can go wrong with a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create or protect {path}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("refusing a store others can read")]
    Exposed(#[source] crate::private::Exposed),
    #[error("sqlite failed to {op}")]
    Sqlite {
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the store holds an unreadable {what}; fix or remove the database file")]
    Corrupt {
        what: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    #[error("the store's schema is version {found}, newer than this build's {known}; run a newer build or remove the database file")]
    Newer { found: i64, known: i64 },
}

/// Maps a SQLite error to [`StoreError::Sqlite`], naming what was being done.
pub fn sql(op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { op, source }
}

/// A stored value that cannot be read back, without a further cause.
pub fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Corrupt { what: what.into(), source: None }
}

/// Maps a decoding error of a stored value to [`StoreError::Corrupt`].
pub fn corrupt_by<E>(what: impl Into<String>) -> impl FnOnce(E) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |source| StoreError::Corrupt { what: what.into(), source: Some(Box::new(source)) }
}

/// One SQLite database: its connection behind a mutex.
#[derive(Debug)]
pub struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating if needed) `DIR/FILE` and applies the `migrations` it has not seen:
    /// migration `i` brings the schema to version `i + 1` (SQLite's `user_version`), each in one
    /// transaction. The directory and the database file are made owner-only when the store
    /// is new; an existing store that other users can read is refused.
    pub fn open(dir: &Path, file: &str, migrations: &[&str]) -> Result<Self, StoreError> {
        let data_dir = |source| StoreError::DataDir { path: dir.to_owned(), source };
        let path = dir.join(file);
        if path.exists() {
            for existing in [dir, &path] {
                crate::private::check_private(existing).map_err(StoreError::Exposed)?;
            }
        }
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(data_dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(data_dir)?;
        let conn = Connection::open(&path).map_err(sql("open the database"))?;
        // Before WAL mode: SQLite gives its -wal and -shm files the database file's mode.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|source| StoreError::DataDir { path, source })?;
        Self::setup(conn, migrations)
    }

    /// A database in memory only, for tests.
    pub fn in_memory(migrations: &[&str]) -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory().map_err(sql("open the database"))?, migrations)
    }

    fn setup(conn: Connection, migrations: &[&str]) -> Result<Self, StoreError> {
        // WAL: a committed transaction is in the log before the call returns, so a killed
        // process loses nothing it acknowledged; NORMAL sync only risks the last commits on a
        // power cut.
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(sql("enable WAL"))?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(sql("set pragmas"))?;
        migrate(&conn, migrations)?;
        // Room for every statement a store prepares once and keeps (`prepare_cached`; the
        // default keeps 16, fewer than the agent's store has).
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// The connection, for one short transaction or statement.
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the connection leaves no half transaction (SQLite rolls it
        // back), so the connection stays usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn migrate(conn: &Connection, migrations: &[&str]) -> Result<(), StoreError> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql("read the schema version"))?;
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    if found > known {
        return Err(StoreError::Newer { found, known });
    }
    for (version, migration) in (1..).zip(migrations).skip(usize::try_from(found).unwrap_or(0)) {
        conn.execute_batch(&format!("BEGIN; {migration} PRAGMA user_version = {version}; COMMIT;"))
            .map_err(sql("migrate the schema"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "CREATE TABLE t (a TEXT);";
    const V2: &str = "ALTER TABLE t ADD COLUMN b TEXT;";

    #[test]
    fn migrates_step_by_step_and_refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Db::open(&data, "x.sqlite", &[V1]).unwrap();
        let db = Db::open(&data, "x.sqlite", &[V1, V2]).unwrap();
        db.lock().execute("INSERT INTO t (a, b) VALUES ('1', '2')", []).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("x.sqlite")), 0o600);
        assert_eq!(mode(&data.join("x.sqlite-wal")), 0o600);
        drop(db);
        let err = Db::open(&data, "x.sqlite", &[V1]).unwrap_err();
        assert!(matches!(err, StoreError::Newer { found: 2, known: 1 }), "{err}");
    }

    #[test]
    fn a_new_store_is_made_private_and_an_exposed_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let set = |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
        set(dir.path(), 0o755).unwrap();
        drop(Db::open(dir.path(), "x.sqlite", &[V1]).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path()), 0o700, "a new store's directory is made private");
        set(&dir.path().join("x.sqlite"), 0o644).unwrap();
        let err = Db::open(dir.path(), "x.sqlite", &[V1]).unwrap_err();
        assert!(matches!(err, StoreError::Exposed(_)), "{err}");
        set(&dir.path().join("x.sqlite"), 0o600).unwrap();
        set(dir.path(), 0o750).unwrap();
        let err = Db::open(dir.path(), "x.sqlite", &[V1]).unwrap_err();
        assert!(crate::chain(&err).contains("chmod -R go-rwx"), "{}", crate::chain(&err));
    }
}
