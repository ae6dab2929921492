//! SOL005's task resources on an operation occurrence. `cancel` stops a PROCESSING operation
//! before its next step; it undoes what it made and ends ROLLED_BACK. `retry`, `rollback`,
//! `continue` and `fail` act on an operation in FAILED_TEMP, which an Archipel operation never
//! is (a failed step is rolled back at once): they are refused saying so.

use super::Nfvo;
use crate::error::NfvoError;
use crate::model::{OpOcc, OperationState};

/// The tasks that need FAILED_TEMP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpTask {
    Retry,
    Rollback,
    Continue,
    Fail,
}

impl OpTask {
    pub fn name(self) -> &'static str {
        match self {
            OpTask::Retry => "retry",
            OpTask::Rollback => "rollback",
            OpTask::Continue => "continue",
            OpTask::Fail => "fail",
        }
    }
}

impl Nfvo {
    /// Asks PROCESSING operation `id` to stop before its next step.
    pub fn cancel_op(&self, id: &str) -> Result<OpOcc, NfvoError> {
        let _gate = self.gate();
        let op = self.op(id)?;
        if op.state != OperationState::Processing {
            return Err(wrong_state(&op, "cancel", "PROCESSING"));
        }
        self.cancels().insert(id.to_owned());
        tracing::info!(op = %id, "operation cancel asked");
        Ok(op)
    }

    /// Whether a cancel of operation `id` was asked and the operation has not yet stopped.
    pub fn cancel_pending(&self, id: &str) -> bool {
        self.cancels().contains(id)
    }

    /// Refuses `task` on operation `id`, which exists: it needs FAILED_TEMP.
    pub fn op_task(&self, id: &str, task: OpTask) -> Result<OpOcc, NfvoError> {
        let op = self.op(id)?;
        let needs = "FAILED_TEMP, which an Archipel operation never is: a failed step is rolled \
                     back at once, so begin the operation again";
        Err(wrong_state(&op, task.name(), needs))
    }
}

fn wrong_state(op: &OpOcc, task: &'static str, needs: &'static str) -> NfvoError {
    NfvoError::OpState { id: op.id.clone(), state: op.state.as_str(), task, needs }
}
