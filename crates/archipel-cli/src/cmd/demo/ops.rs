//! Lifecycle operations followed to their end through the REST API (`GET
//! /nslcm/v1/ns_lcm_op_occs/{id}`), each of their steps shown under the demo's step as the
//! NFVO reports it.

use std::time::Duration;

use anyhow::bail;
use archipel_nfvo::api::dto::NsLcmOpOcc;
use archipel_nfvo::client::NfvoClient;

use super::progress::Step;
use crate::cmd::ns::remote::follow_op;

/// Follows `op` to its end, its steps shown under `step`; an operation that did not complete is
/// an error naming its step and reason.
pub async fn follow(client: &NfvoClient, op: &NsLcmOpOcc, step: &Step<'_>) -> anyhow::Result<()> {
    let ended = follow_op(client, op, |line| step.detail(line)).await?;
    let kind = op.lcm_operation_type.to_lowercase();
    step.detail(format!("{kind} {}: COMPLETED", ended.id));
    Ok(())
}

/// Waits until no operation of network service `ns` runs (an instantiate cut short by an
/// interruption goes on in the NFVO), at most `limit`.
pub async fn settle(client: &NfvoClient, ns: &str, limit: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let ops = client.op_occs().await?;
        let running =
            ops.iter().any(|op| op.ns_instance_id == ns && op.operation_state == "PROCESSING");
        if !running {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("an operation of network service {ns} still runs after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
