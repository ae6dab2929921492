use rusqlite::{params, OptionalExtension, Row};

use super::{corrupt, sql, Store, StoreError};
use crate::model::{Filter, Subscription, SubscriptionApi};

const COLUMNS: &str = "id, callback_uri, filter, created, api";

type Raw = (String, String, String, i64, String);

fn raw(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn decode((id, callback_uri, filter, created, api): Raw) -> Result<Subscription, StoreError> {
    let filter: Filter = serde_json::from_str(&filter).map_err(corrupt("subscription filter"))?;
    let api = SubscriptionApi::parse(&api)
        .ok_or_else(|| archipel_daemon::store::corrupt(format!("subscription API {api}")))?;
    Ok(Subscription { id, api, callback_uri, filter, created })
}

impl Store {
    pub fn insert_subscription(&self, s: &Subscription) -> Result<(), StoreError> {
        let filter = serde_json::to_string(&s.filter).map_err(corrupt("subscription filter"))?;
        self.conn()
            .execute(
                &format!("INSERT INTO subscriptions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
                params![s.id, s.callback_uri, filter, s.created, s.api.as_str()],
            )
            .map_err(sql("insert a subscription"))?;
        Ok(())
    }

    pub fn subscription(&self, id: &str) -> Result<Option<Subscription>, StoreError> {
        let row = self
            .conn()
            .query_row(&format!("SELECT {COLUMNS} FROM subscriptions WHERE id = ?1"), [id], raw)
            .optional()
            .map_err(sql("read a subscription"))?;
        row.map(decode).transpose()
    }

    /// Every subscription, oldest first.
    pub fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let rows: Vec<_> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare(&format!("SELECT {COLUMNS} FROM subscriptions ORDER BY created, rowid"))
                .map_err(sql("list subscriptions"))?;
            let rows = stmt.query_map([], raw).map_err(sql("list subscriptions"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list subscriptions"))?
        };
        rows.into_iter().map(decode).collect()
    }

    /// Whether there was one to delete.
    pub fn delete_subscription(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM subscriptions WHERE id = ?1", [id])
            .map_err(sql("delete a subscription"))?;
        Ok(n > 0)
    }
}
