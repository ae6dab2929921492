//! The intent log: what operations made, or are about to make, at the sites.

use std::collections::HashSet;

use ipnet::Ipv4Net;
use rusqlite::{params, OptionalExtension, Row};

use super::{corrupt, sql, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResourceKind {
    Container,
    /// A site taking part in an L2 extension: `pop_id` is the extension's global id.
    Member,
    /// An L2 extension, at its master site, named like its network: `pop_id` is its global id.
    Extension,
    Network,
}

impl ResourceKind {
    fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Container => "container",
            ResourceKind::Member => "member",
            ResourceKind::Extension => "extension",
            ResourceKind::Network => "network",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceState {
    /// About to be made: the site may or may not hold it.
    Pending,
    /// Made: the site holds it.
    Present,
    /// Being deleted: it goes whatever happens.
    Deleting,
}

impl ResourceState {
    fn as_str(self) -> &'static str {
        match self {
            ResourceState::Pending => "pending",
            ResourceState::Present => "present",
            ResourceState::Deleting => "deleting",
        }
    }
}

/// One object at a site, made by operation `op_id` of NSR `nsr_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub seq: i64,
    pub nsr_id: String,
    pub op_id: String,
    pub site: String,
    pub kind: ResourceKind,
    pub name: String,
    pub pop_id: Option<String>,
    pub subnet: Option<Ipv4Net>,
    pub state: ResourceState,
}

const COLUMNS: &str = "seq, nsr_id, op_id, site, kind, name, pop_id, subnet, state";

type RawResource =
    (i64, String, String, String, String, String, Option<String>, Option<String>, String);

fn raw(r: &Row<'_>) -> rusqlite::Result<RawResource> {
    r.try_into()
}

#[derive(Debug, thiserror::Error)]
#[error("unknown {0}")]
struct Unknown(String);

fn decode(raw: RawResource) -> Result<Resource, StoreError> {
    let (seq, nsr_id, op_id, site, kind, name, pop_id, subnet, state) = raw;
    let kind = match kind.as_str() {
        "network" => ResourceKind::Network,
        "container" => ResourceKind::Container,
        "member" => ResourceKind::Member,
        "extension" => ResourceKind::Extension,
        _ => return Err(corrupt("resource kind")(Unknown(kind))),
    };
    let state = match state.as_str() {
        "pending" => ResourceState::Pending,
        "present" => ResourceState::Present,
        "deleting" => ResourceState::Deleting,
        _ => return Err(corrupt("resource state")(Unknown(state))),
    };
    let subnet =
        subnet.map(|s| s.parse::<Ipv4Net>()).transpose().map_err(corrupt("resource subnet"))?;
    Ok(Resource { seq, nsr_id, op_id, site, kind, name, pop_id, subnet, state })
}

impl Store {
    /// Records a container, an extension or a member about to be made; returns its sequence
    /// number. Networks take [`Store::add_network`], which chooses their subnet.
    pub fn add_resource(
        &self,
        nsr_id: &str,
        op_id: &str,
        site: &str,
        kind: ResourceKind,
        name: &str,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO resources (nsr_id, op_id, site, kind, name, state)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending')",
            params![nsr_id, op_id, site, kind.as_str(), name],
        )
        .map_err(sql("record an object to make"))?;
        Ok(conn.last_insert_rowid())
    }

    /// Records a network about to be made with the first of `candidates` that no recorded
    /// network uses; returns its sequence number and subnet, or None if every one is used.
    pub fn add_network(
        &self,
        nsr_id: &str,
        op_id: &str,
        site: &str,
        name: &str,
        candidates: impl Iterator<Item = Ipv4Net>,
    ) -> Result<Option<(i64, Ipv4Net)>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("record a network"))?;
        let used: HashSet<String> = {
            let mut stmt = tx
                .prepare("SELECT subnet FROM resources WHERE subnet IS NOT NULL")
                .map_err(sql("list subnets in use"))?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(sql("list subnets in use"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list subnets in use"))?
        };
        let Some(subnet) = candidates.into_iter().find(|s| !used.contains(&s.to_string())) else {
            return Ok(None);
        };
        tx.execute(
            "INSERT INTO resources (nsr_id, op_id, site, kind, name, subnet, state)
             VALUES (?1, ?2, ?3, 'network', ?4, ?5, 'pending')",
            params![nsr_id, op_id, site, name, subnet.to_string()],
        )
        .map_err(sql("record a network"))?;
        let seq = tx.last_insert_rowid();
        tx.commit().map_err(sql("record a network"))?;
        Ok(Some((seq, subnet)))
    }

    /// The site holds the object now.
    pub fn resource_present(&self, seq: i64, pop_id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE resources SET state = 'present', pop_id = ?2 WHERE seq = ?1",
                params![seq, pop_id],
            )
            .map_err(sql("record a made object"))?;
        Ok(())
    }

    /// These objects go, whatever happens next.
    pub fn resources_deleting(&self, seqs: &[i64]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("record deletions"))?;
        for seq in seqs {
            tx.execute(
                "UPDATE resources SET state = ?2 WHERE seq = ?1",
                params![seq, ResourceState::Deleting.as_str()],
            )
            .map_err(sql("record deletions"))?;
        }
        tx.commit().map_err(sql("record deletions"))
    }

    /// The site no longer holds the object.
    pub fn remove_resource(&self, seq: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM resources WHERE seq = ?1", [seq])
            .map_err(sql("forget a deleted object"))?;
        Ok(())
    }

    /// What NSR `nsr_id` holds at the sites, in the order it was made.
    pub fn resources_of_nsr(&self, nsr_id: &str) -> Result<Vec<Resource>, StoreError> {
        self.resources_where("nsr_id", nsr_id)
    }

    /// What operation `op_id` made and still holds, in the order it was made.
    pub fn resources_of_op(&self, op_id: &str) -> Result<Vec<Resource>, StoreError> {
        self.resources_where("op_id", op_id)
    }

    /// An NSR holding something at `site`, if any.
    pub fn nsr_on_site(&self, site: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT nsr_id FROM resources WHERE site = ?1 LIMIT 1", [site], |r| r.get(0))
            .optional()
            .map_err(sql("find what a site holds"))
    }

    fn resources_where(&self, column: &str, value: &str) -> Result<Vec<Resource>, StoreError> {
        let rows: Vec<RawResource> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM resources WHERE {column} = ?1 ORDER BY seq"
                ))
                .map_err(sql("list resources"))?;
            let rows = stmt.query_map([value], raw).map_err(sql("list resources"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list resources"))?
        };
        rows.into_iter().map(decode).collect()
    }
}
