use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use rusqlite::{params, Connection};

use super::{corrupt, sql, Store, StoreError};
use crate::model::{ContainerEndpoint, ContainerState, PopContainer};

impl Store {
    /// Writes the whole record: row, endpoints, metadata, and its allocations (none once it is
    /// in a final state), in one transaction.
    pub fn put_container(&self, c: &PopContainer) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("begin a transaction"))?;
        tx.execute(
            "INSERT INTO containers (id, name, image, flavour, created, started, state,
                 extended_status, exit_code, runtime_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET name = ?2, image = ?3, flavour = ?4, created = ?5,
                 started = ?6, state = ?7, extended_status = ?8, exit_code = ?9, runtime_id = ?10",
            params![
                c.id,
                c.name,
                c.image,
                c.flavour,
                c.created,
                c.started,
                c.state.as_str(),
                c.extended_status,
                c.exit_code,
                c.runtime_id
            ],
        )
        .map_err(sql("write a container"))?;
        for table in ["endpoints", "metadata", "allocations"] {
            tx.execute(&format!("DELETE FROM {table} WHERE container = ?1"), [&c.id])
                .map_err(sql("clear a container's rows"))?;
        }
        for (network, ep) in &c.endpoints {
            tx.execute(
                "INSERT INTO endpoints (container, network, network_id, address, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.id, network, ep.network_id, ep.address.to_string(), ep.mac],
            )
            .map_err(sql("write an endpoint"))?;
            if c.holds_addresses() {
                tx.execute(
                    "INSERT INTO allocations (network_id, address, container) VALUES (?1, ?2, ?3)",
                    params![ep.network_id, ep.address.to_string(), c.id],
                )
                .map_err(sql("write an allocation"))?;
            }
        }
        for (key, value) in &c.metadata {
            tx.execute(
                "INSERT INTO metadata (container, key, value) VALUES (?1, ?2, ?3)",
                params![c.id, key, value],
            )
            .map_err(sql("write metadata"))?;
        }
        tx.commit().map_err(sql("commit a container"))
    }

    /// Forgets a container and everything of it.
    pub fn delete_container(&self, id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM containers WHERE id = ?1", [id])
            .map_err(sql("delete a container"))?;
        Ok(())
    }

    pub fn containers(&self) -> Result<Vec<PopContainer>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, name, image, flavour, created, started, state, extended_status,
                     exit_code, runtime_id FROM containers ORDER BY created, id",
            )
            .map_err(sql("read containers"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    PopContainer {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        image: r.get(2)?,
                        flavour: r.get(3)?,
                        created: r.get(4)?,
                        started: r.get(5)?,
                        state: ContainerState::Created,
                        extended_status: r.get(7)?,
                        exit_code: r.get(8)?,
                        runtime_id: r.get(9)?,
                        endpoints: BTreeMap::new(),
                        metadata: BTreeMap::new(),
                    },
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(sql("read containers"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql("read containers"))?;
        let mut out = Vec::with_capacity(rows.len());
        for (mut c, state) in rows {
            c.state = ContainerState::parse(&state)
                .ok_or_else(|| corrupt(format!("state {state:?} of container {}", c.id)))?;
            c.endpoints = endpoints(&conn, &c.id)?;
            c.metadata = metadata(&conn, &c.id)?;
            out.push(c);
        }
        Ok(out)
    }

    /// The addresses held, as (network id, address, container id).
    pub fn allocations(&self) -> Result<Vec<(String, Ipv4Addr, String)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT network_id, address, container FROM allocations ORDER BY 1, 2")
            .map_err(sql("read allocations"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))
            .map_err(sql("read allocations"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql("read allocations"))?;
        rows.into_iter().map(|(net, addr, c)| Ok((net, parse_addr(&addr)?, c))).collect()
    }

    /// Rewrites the allocation table from the container records: every endpoint of a container
    /// that is not in a final state, and nothing else.
    pub fn rebuild_allocations(&self) -> Result<(), StoreError> {
        self.conn()
            .execute_batch(
                "BEGIN;
                 DELETE FROM allocations;
                 INSERT INTO allocations (network_id, address, container)
                     SELECT e.network_id, e.address, e.container FROM endpoints e
                     JOIN containers c ON c.id = e.container
                     WHERE c.state NOT IN ('EXITED', 'FAILED');
                 COMMIT;",
            )
            .map_err(sql("rebuild allocations"))
    }
}

fn endpoints(
    conn: &Connection,
    id: &str,
) -> Result<BTreeMap<String, ContainerEndpoint>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT network, network_id, address, mac FROM endpoints WHERE container = ?1",
        )
        .map_err(sql("read endpoints"))?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })
        .map_err(sql("read endpoints"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql("read endpoints"))?;
    rows.into_iter()
        .map(|(net, network_id, addr, mac)| {
            Ok((net, ContainerEndpoint { network_id, address: parse_addr(&addr)?, mac }))
        })
        .collect()
}

fn metadata(conn: &Connection, id: &str) -> Result<BTreeMap<String, String>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT key, value FROM metadata WHERE container = ?1")
        .map_err(sql("read metadata"))?;
    let rows = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(sql("read metadata"))?
        .collect::<Result<_, _>>()
        .map_err(sql("read metadata"));
    rows
}

pub(super) fn parse_addr(s: &str) -> Result<Ipv4Addr, StoreError> {
    s.parse().map_err(|_| corrupt(format!("address {s:?}")))
}
