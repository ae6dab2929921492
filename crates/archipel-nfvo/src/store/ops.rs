use rusqlite::{params, OptionalExtension, Row};

use super::{corrupt, sql, Store, StoreError};
use crate::model::{Failure, Nsr, OpOcc, Operation, OperationState, Step};

const COLUMNS: &str = "id, nsr_id, operation, state, step, detail, error, started, entered";

/// A row as read, decoded outside rusqlite's closure so decoding errors keep their type.
struct RawOp {
    id: String,
    nsr_id: String,
    operation: String,
    state: String,
    step: Option<String>,
    detail: Option<String>,
    error: Option<String>,
    started: i64,
    entered: i64,
}

fn raw(r: &Row<'_>) -> rusqlite::Result<RawOp> {
    Ok(RawOp {
        id: r.get(0)?,
        nsr_id: r.get(1)?,
        operation: r.get(2)?,
        state: r.get(3)?,
        step: r.get(4)?,
        detail: r.get(5)?,
        error: r.get(6)?,
        started: r.get(7)?,
        entered: r.get(8)?,
    })
}

#[derive(Debug, thiserror::Error)]
#[error("unknown operation state {0}")]
struct UnknownState(String);

fn decode(raw: RawOp) -> Result<OpOcc, StoreError> {
    let operation: Operation =
        serde_json::from_str(&raw.operation).map_err(corrupt("operation"))?;
    let state = OperationState::parse(&raw.state)
        .ok_or_else(|| corrupt("operation state")(UnknownState(raw.state.clone())))?;
    let error: Option<Failure> = raw
        .error
        .map(|e| serde_json::from_str(&e))
        .transpose()
        .map_err(corrupt("operation error"))?;
    let step: Option<Step> =
        raw.step.map(|s| s.parse()).transpose().map_err(corrupt("operation step"))?;
    Ok(OpOcc {
        id: raw.id,
        nsr_id: raw.nsr_id,
        operation,
        state,
        step,
        detail: raw.detail,
        error,
        started: raw.started,
        entered: raw.entered,
    })
}

fn encode(op: &OpOcc) -> Result<(String, Option<String>), StoreError> {
    let operation = serde_json::to_string(&op.operation).map_err(corrupt("operation"))?;
    let error = op
        .error
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(corrupt("operation error"))?;
    Ok((operation, error))
}

impl Store {
    /// Records a new operation and the NSR it changes, in one transaction, unless the NSR has
    /// an operation in progress: then nothing is written and its id is returned.
    pub fn begin_op(&self, op: &OpOcc, nsr: &Nsr) -> Result<Option<String>, StoreError> {
        let (operation, error) = encode(op)?;
        let record = serde_json::to_string(nsr).map_err(corrupt("network-service record"))?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("begin an operation"))?;
        let busy: Option<String> = tx
            .query_row(
                "SELECT id FROM ops WHERE nsr_id = ?1 AND state = 'PROCESSING'",
                [&op.nsr_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("find operations in progress"))?;
        if busy.is_some() {
            return Ok(busy);
        }
        tx.execute(
            &format!("INSERT INTO ops ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                op.id,
                op.nsr_id,
                operation,
                op.state.as_str(),
                op.step.map(Step::as_str),
                op.detail,
                error,
                op.started,
                op.entered
            ],
        )
        .map_err(sql("insert an operation"))?;
        tx.execute("UPDATE nsrs SET record = ?2 WHERE id = ?1", params![nsr.id, record])
            .map_err(sql("update an NSR"))?;
        tx.commit().map_err(sql("begin an operation"))?;
        Ok(None)
    }

    pub fn put_op(&self, op: &OpOcc) -> Result<(), StoreError> {
        let (_, error) = encode(op)?;
        self.conn()
            .execute(
                "UPDATE ops SET state = ?2, step = ?3, detail = ?4, error = ?5, entered = ?6
                 WHERE id = ?1",
                params![
                    op.id,
                    op.state.as_str(),
                    op.step.map(Step::as_str),
                    op.detail,
                    error,
                    op.entered
                ],
            )
            .map_err(sql("update an operation"))?;
        Ok(())
    }

    pub fn op(&self, id: &str) -> Result<Option<OpOcc>, StoreError> {
        let raw = self
            .conn()
            .query_row(&format!("SELECT {COLUMNS} FROM ops WHERE id = ?1"), [id], raw)
            .optional()
            .map_err(sql("read an operation"))?;
        raw.map(decode).transpose()
    }

    /// The newest operation on NSR `nsr_id`.
    pub fn last_op(&self, nsr_id: &str) -> Result<Option<OpOcc>, StoreError> {
        let raw = self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM ops WHERE nsr_id = ?1 ORDER BY rowid DESC LIMIT 1"),
                [nsr_id],
                raw,
            )
            .optional()
            .map_err(sql("read an operation"))?;
        raw.map(decode).transpose()
    }

    /// Every operation, oldest first; only those in `state` if given.
    pub fn ops(&self, state: Option<OperationState>) -> Result<Vec<OpOcc>, StoreError> {
        let rows: Vec<RawOp> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM ops WHERE ?1 IS NULL OR state = ?1 ORDER BY rowid"
                ))
                .map_err(sql("list operations"))?;
            let rows = stmt
                .query_map([state.map(OperationState::as_str)], raw)
                .map_err(sql("list operations"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list operations"))?
        };
        rows.into_iter().map(decode).collect()
    }
}
