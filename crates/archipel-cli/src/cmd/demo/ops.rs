//! Lifecycle operations followed to their end through the REST API (`GET
//! /nslcm/v1/ns_lcm_op_occs/{id}`), each of their steps shown under the demo's step as the
//! NFVO reports it.

use std::time::Duration;

use anyhow::bail;
use archipel_nfvo::api::dto::NsLcmOpOcc;
use archipel_nfvo::client::NfvoClient;

use super::progress::Step;

/// Follows `op` to its end; an operation that did not complete is an error naming its step and
/// reason.
pub async fn follow(client: &NfvoClient, op: &NsLcmOpOcc, step: &Step<'_>) -> anyhow::Result<()> {
    let kind = op.lcm_operation_type.to_lowercase();
    let mut shown: Option<String> = None;
    let ended = client
        .wait(&op.id, |op| {
            let line = match (&op.current_step, &op.step_detail) {
                (Some(step), Some(detail)) => format!("{step}: {detail}"),
                (Some(step), None) => step.clone(),
                _ => return,
            };
            if shown.as_ref() != Some(&line) {
                step.detail(&line);
                shown = Some(line);
            }
        })
        .await?;
    if ended.operation_state != "COMPLETED" {
        let why = ended
            .failure
            .as_ref()
            .map(|f| format!(" at step {}: {}", f.step, f.reason))
            .unwrap_or_default();
        bail!("{kind} {} ended {}{why}", ended.id, ended.operation_state);
    }
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
