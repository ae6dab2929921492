use archipel_ipam::{Pool, SubnetPlan};
use rusqlite::params;

use super::containers::parse_addr;
use super::{corrupt, sql, Store, StoreError};
use crate::model::{LinuxAttachment, PopNetwork};

impl Store {
    pub fn put_network(&self, n: &PopNetwork) -> Result<(), StoreError> {
        let pools = serde_json::to_string(n.plan.pools())
            .map_err(|_| corrupt(format!("pools of network {}", n.name)))?;
        self.conn()
            .execute(
                "INSERT INTO networks (id, name, cidr, gateway, pools, mtu, runtime_id, bridge,
                     netns, managed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET name = ?2, cidr = ?3, gateway = ?4, pools = ?5,
                     mtu = ?6, runtime_id = ?7, bridge = ?8, netns = ?9, managed = ?10",
                params![
                    n.id,
                    n.name,
                    n.plan.cidr().to_string(),
                    n.plan.gateway().to_string(),
                    pools,
                    n.mtu,
                    n.runtime_id,
                    n.attachment.bridge,
                    n.attachment.netns,
                    n.managed
                ],
            )
            .map_err(sql("write a network"))?;
        Ok(())
    }

    pub fn delete_network(&self, id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM networks WHERE id = ?1", [id])
            .map_err(sql("delete a network"))?;
        Ok(())
    }

    pub fn networks(&self) -> Result<Vec<PopNetwork>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, name, cidr, gateway, pools, mtu, runtime_id, bridge, netns, managed
                 FROM networks ORDER BY name",
            )
            .map_err(sql("read networks"))?;
        type Row = (
            String,
            String,
            String,
            String,
            String,
            Option<u32>,
            String,
            String,
            Option<String>,
            bool,
        );
        let rows: Vec<Row> = stmt
            .query_map([], |r| Row::try_from(r))
            .map_err(sql("read networks"))?
            .collect::<Result<_, _>>()
            .map_err(sql("read networks"))?;
        rows.into_iter()
            .map(|(id, name, cidr, gateway, pools, mtu, runtime_id, bridge, netns, managed)| {
                let unreadable = || corrupt(format!("plan of network {name}"));
                let cidr = cidr.parse().map_err(|_| unreadable())?;
                let gateway = parse_addr(&gateway)?;
                let pools: Vec<Pool> = serde_json::from_str(&pools).map_err(|_| unreadable())?;
                let plan = SubnetPlan::new(cidr, Some(gateway), pools).map_err(|_| unreadable())?;
                Ok(PopNetwork {
                    id,
                    name,
                    plan,
                    mtu,
                    attachment: LinuxAttachment { bridge, netns },
                    runtime_id,
                    managed,
                })
            })
            .collect()
    }
}
