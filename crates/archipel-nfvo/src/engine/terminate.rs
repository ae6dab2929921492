//! Terminate: every container and network the NSR holds goes (popd frees the addresses with
//! them); the NSR ends TERMINATED.

use super::run::Run;
use crate::model::{Failure, Status, Step};

pub(super) async fn forward(run: &mut Run) -> Result<(), Failure> {
    let held = run.resources()?;
    run.step(Step::Delete, Some(format!("{} objects", held.len())))?;
    run.delete(held).await?;
    for vnfr in &mut run.nsr.vnfrs {
        vnfr.status = Status::Terminated;
    }
    run.nsr.status = Status::Terminated;
    run.nsr.error = None;
    run.save()
}
