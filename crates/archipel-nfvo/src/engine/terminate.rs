//! Terminate: every running VNFC runs its TERMINATE scripts (a failing one is logged: the
//! service goes anyway), then every container and network the NSR holds goes (popd frees the
//! addresses with them); the NSR ends TERMINATED.

use std::collections::BTreeMap;

use super::lifecycle;
use super::run::Run;
use crate::model::{Failure, Status, Step};

pub(super) async fn forward(run: &mut Run) -> Result<(), Failure> {
    let running: Vec<(String, String)> = run
        .nsr
        .vnfcs()
        .filter(|(_, v)| v.pop_status == "RUNNING")
        .map(|(r, v)| (r.name.clone(), v.name.clone()))
        .collect();
    for (vnf, name) in running {
        if let Err(failure) =
            lifecycle::event(run, &vnf, &name, "TERMINATE", &BTreeMap::new()).await
        {
            tracing::warn!(op = %run.op.id, container = %name, reason = %failure.reason, "a TERMINATE script failed; terminating anyway");
        }
    }
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
