//! The agent's local store: one SQLite database (`agent.sqlite` in the data directory) in WAL
//! mode with DIMINET's tables: service, param, resource, connection; the master's tombstones
//! ([`tombstones`]), the VNIs held for services being made ([`vni`]), the creates in
//! progress ([`pending`]) and, at a participant, the joins in progress ([`pending`]) and the
//! services it has left ([`left`]).

mod left;
mod pending;
mod tombstones;
mod vni;

use archipel_daemon::store::corrupt;
use rusqlite::{params, OptionalExtension};

use crate::model::{Connection, Params, Resource, Service, ServiceType};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "agent.sqlite";

/// The schema's versions, oldest first. The first creates only what is missing: stores made
/// before versions were counted hold some of it already.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6];

const V1: &str = "
CREATE TABLE IF NOT EXISTS service (
    global_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    master TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS param (
    global_id TEXT PRIMARY KEY REFERENCES service(global_id) ON DELETE CASCADE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS resource (
    global_id TEXT NOT NULL REFERENCES service(global_id) ON DELETE CASCADE,
    site TEXT NOT NULL,
    network TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (global_id, site, network)
);
CREATE TABLE IF NOT EXISTS connection (
    global_id TEXT NOT NULL REFERENCES service(global_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    netns TEXT NOT NULL,
    device TEXT NOT NULL,
    PRIMARY KEY (global_id, kind, device)
);
CREATE TABLE IF NOT EXISTS tombstone (
    global_id TEXT NOT NULL,
    site TEXT NOT NULL,
    PRIMARY KEY (global_id, site)
);
CREATE TABLE IF NOT EXISTS vni_reservation (
    vni INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    expires INTEGER NOT NULL
);
";

const V2: &str = "
CREATE TABLE pending_create (
    global_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE left_service (
    global_id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
);
";

const V3: &str = "
CREATE TABLE pending_join (
    global_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
";

/// The VNI of each service, indexed: choosing one asks whether each candidate is used, which
/// otherwise parsed every service's parameters (a master of many services spent its creates
/// there, growing with the square of their number).
const V4: &str = "
CREATE INDEX param_vni ON param (json_extract(body, '$.vni'));
";

/// The VNI of each service in a column of its own, indexed: the expression index of V4 made
/// SQLite parse a service's whole parameters on every write of them (a view over hundreds of
/// sites is tens of KiB of JSON).
const V5: &str = "
ALTER TABLE param ADD COLUMN vni INTEGER;
UPDATE param SET vni = json_extract(body, '$.vni');
DROP INDEX param_vni;
CREATE INDEX param_vni ON param (vni);
";

/// A service's resources in one JSON value beside it rather than a row each: nothing looks a
/// resource up by itself, and a view over hundreds of sites was as many inserts.
const V6: &str = "
ALTER TABLE service ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';
UPDATE service SET resources = (
    SELECT coalesce(json_group_array(json(r)), '[]') FROM (
        SELECT json_object(
            'site', site, 'network', network,
            'created', json(CASE WHEN created THEN 'true' ELSE 'false' END)) AS r
        FROM resource WHERE resource.global_id = service.global_id ORDER BY site, network));
DROP TABLE resource;
";

pub(crate) use archipel_daemon::store::sql;
pub use archipel_daemon::store::StoreError;

/// Statements prepared once per connection and kept: the agent runs the same few on every
/// call, and preparing one costs more than running it.
trait Cached {
    fn run(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize>;
    fn row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T>;
}

impl Cached for rusqlite::Connection {
    fn run(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

archipel_daemon::sqlite_store!(
    /// The SQLite store: the agent's writes are few and small.
    pub struct Store in DB_FILE, migrations MIGRATIONS
);

impl Store {
    /// Writes a service with its params and resources, replacing what was stored under its id
    /// (its connections are kept).
    pub fn put_service(&self, service: &Service) -> Result<(), StoreError> {
        let body = serde_json::to_string(&service.params).map_err(|_| corrupt("param"))?;
        let resources =
            serde_json::to_string(&service.resources).map_err(|_| corrupt("resources"))?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("begin"))?;
        let (id, kind) = (&service.global_id, service.kind.to_string());
        tx.run(
            "INSERT INTO service (global_id, type, name, master, resources)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(global_id) DO UPDATE SET type = ?2, name = ?3, master = ?4,
                resources = ?5",
            params![id, kind, service.name, service.master, resources],
        )
        .map_err(sql("write a service"))?;
        tx.run(
            "INSERT OR REPLACE INTO param (global_id, body, vni) VALUES (?1, ?2, ?3)",
            params![id, body, service.params.vni],
        )
        .map_err(sql("write params"))?;
        tx.commit().map_err(sql("commit"))
    }

    /// One service.
    pub fn service(&self, global_id: &str) -> Result<Option<Service>, StoreError> {
        let conn = self.conn();
        let head = conn
            .row(
                "SELECT s.type, s.name, s.master, p.body, s.resources FROM service s
                 JOIN param p ON p.global_id = s.global_id WHERE s.global_id = ?1",
                params![global_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()
            .map_err(sql("read a service"))?;
        let Some((kind, name, master, body, resources)) = head else {
            return Ok(None);
        };
        let unreadable = |what: &str| corrupt(format!("{what} of {global_id}"));
        let kind: ServiceType = kind.parse().map_err(|_| unreadable("type"))?;
        let params: Params = serde_json::from_str(&body).map_err(|_| unreadable("param"))?;
        let resources: Vec<Resource> =
            serde_json::from_str(&resources).map_err(|_| unreadable("resources"))?;
        Ok(Some(Service { global_id: global_id.to_owned(), kind, name, master, params, resources }))
    }

    /// Every service, by id.
    pub fn services(&self) -> Result<Vec<Service>, StoreError> {
        let ids: Vec<String> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare_cached("SELECT global_id FROM service ORDER BY global_id")
                .map_err(sql("list services"))?;
            let ids = stmt
                .query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(sql("list services"))?;
            ids
        };
        ids.iter().filter_map(|id| self.service(id).transpose()).collect()
    }

    /// Removes a service with everything stored about it; false when there was none.
    pub fn delete_service(&self, global_id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .run("DELETE FROM service WHERE global_id = ?1", params![global_id])
            .map_err(sql("delete a service"))?;
        Ok(n > 0)
    }

    /// Records a piece of this site's data plane.
    pub fn add_connection(&self, c: &Connection) -> Result<(), StoreError> {
        self.conn()
            .run(
                "INSERT OR REPLACE INTO connection (global_id, kind, netns, device)
                 VALUES (?1, ?2, ?3, ?4)",
                params![c.global_id, c.kind, c.netns, c.device],
            )
            .map_err(sql("write a connection"))?;
        Ok(())
    }

    /// This site's data plane for a service.
    pub fn connections(&self, global_id: &str) -> Result<Vec<Connection>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT kind, netns, device FROM connection WHERE global_id = ?1
                 ORDER BY kind, device",
            )
            .map_err(sql("read connections"))?;
        let rows = stmt
            .query_map(params![global_id], |r| {
                Ok(Connection {
                    global_id: global_id.to_owned(),
                    kind: r.get(0)?,
                    netns: r.get(1)?,
                    device: r.get(2)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("read connections"))?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resource;

    fn service() -> Service {
        let mut params = Params { vni: Some(1000), ..Params::default() };
        params.pools.insert("a".into(), vec!["10.0.0.2-10.0.0.60".parse().unwrap()]);
        Service {
            global_id: "a-1".into(),
            kind: ServiceType::L2,
            name: "ext".into(),
            master: "a".into(),
            params,
            resources: vec![
                Resource { site: "a".into(), network: "n".into(), created: false },
                Resource { site: "b".into(), network: "n".into(), created: true },
            ],
        }
    }

    #[test]
    fn a_service_stored_with_a_row_per_resource_keeps_its_resources() {
        let dir = tempfile::tempdir().unwrap();
        let v5 = &MIGRATIONS[..5];
        let db = archipel_daemon::store::Db::open(dir.path(), DB_FILE, v5).unwrap();
        db.lock()
            .execute_batch(
                "INSERT INTO service VALUES ('a-1', 'l2', 'ext', 'a');
                 INSERT INTO param VALUES ('a-1', '{\"vni\":1000}', 1000);
                 INSERT INTO resource VALUES ('a-1', 'b', 'n', 1), ('a-1', 'a', 'n', 0);
                 INSERT INTO service VALUES ('a-2', 'l2', 'bare', 'a');
                 INSERT INTO param VALUES ('a-2', '{}', NULL);",
            )
            .unwrap();
        drop(db);
        let store = Store::open(dir.path()).unwrap();
        let mut expected = service();
        expected.params = Params { vni: Some(1000), ..Params::default() };
        assert_eq!(store.service("a-1").unwrap(), Some(expected));
        assert!(store.service("a-2").unwrap().unwrap().resources.is_empty());
    }

    #[test]
    fn round_trips_services_and_connections() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let s = service();
        store.put_service(&s).unwrap();
        store.put_service(&s).unwrap();
        assert_eq!(store.service("a-1").unwrap(), Some(s.clone()));
        assert_eq!(store.services().unwrap(), vec![s]);
        let c = Connection {
            global_id: "a-1".into(),
            kind: "vxlan".into(),
            netns: "site".into(),
            device: "vx1000".into(),
        };
        store.add_connection(&c).unwrap();
        assert_eq!(store.connections("a-1").unwrap(), vec![c]);
        assert!(store.delete_service("a-1").unwrap());
        assert!(store.connections("a-1").unwrap().is_empty());
        assert!(!store.delete_service("a-1").unwrap());
    }
}
