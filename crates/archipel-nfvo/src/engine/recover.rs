//! Start-up: operations a stopped NFVO left PROCESSING are finished or rolled back, by the
//! intent log. Deletions always finish (terminate and scale in end COMPLETED); whatever made
//! objects (instantiate, scale out) is undone and ends ROLLED_BACK with the NSR in ERROR, like
//! a failure: a never-instantiated NSR then holds nothing and can be instantiated again; the
//! instances a scale out was re-creating are made again as they were. A heal is done again.

use super::run::{self, Run};
use super::{heal, scale, terminate, update, Nfvo};
use crate::error::NfvoError;
use crate::model::{Failure, OpOcc, Operation, OperationState, Step};

const INTERRUPTED: &str =
    "the NFVO stopped during the operation; what it had made was undone at start-up";

impl Nfvo {
    /// Ends every operation left PROCESSING; returns them as they ended.
    pub async fn recover(&self) -> Result<Vec<OpOcc>, NfvoError> {
        let left = self.store().ops(Some(OperationState::Processing))?;
        let mut ended = Vec::with_capacity(left.len());
        for op in left {
            tracing::warn!(op = %op.id, nsr = %op.nsr_id, "operation left in progress: recovering");
            let id = op.id.clone();
            recover(self, op).await;
            ended.push(self.op(&id)?);
        }
        Ok(ended)
    }
}

async fn recover(nfvo: &Nfvo, op: OpOcc) {
    let interrupted =
        Failure { step: op.step.unwrap_or(Step::Begin), reason: INTERRUPTED.to_owned() };
    let mut run = match Run::load(nfvo, op.clone()) {
        Ok(run) => run,
        Err(failure) => return run::abandon(nfvo, op, failure),
    };
    if let Err(failure) = run.finish_deletions().await {
        return run.roll_back(failure, OperationState::Failed).await;
    }
    let outcome = match op.operation {
        Operation::Terminate => terminate::forward(&mut run).await,
        // A heal is done again from the start: each step is idempotent.
        Operation::Heal { vnfcs, .. } => heal::forward(&mut run, &vnfcs).await,
        Operation::Update { vnf, changes } => update::forward(&mut run, &vnf, &changes).await,
        Operation::Scale { vnf, instances, before, site } if instances < before => {
            scale::forward(&mut run, &vnf, instances, site.as_deref()).await
        }
        Operation::Instantiate { .. } | Operation::Scale { .. } => {
            return run.roll_back(interrupted, OperationState::RolledBack).await
        }
    };
    match outcome {
        Ok(()) => run.complete(),
        Err(failure) => run.roll_back(failure, OperationState::Failed).await,
    }
}
