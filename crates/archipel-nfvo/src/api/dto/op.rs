use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FailureInfo, Link, Problem, ProblemSchema};
use crate::ids;
use crate::model::{OpOcc, Operation};

/// A lifecycle operation occurrence (SOL005 `NsLcmOpOcc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NsLcmOpOcc {
    pub id: String,
    /// PROCESSING, COMPLETED, FAILED (what it made was undone) or ROLLED_BACK (interrupted by
    /// a stop of the NFVO and undone at its next start).
    pub operation_state: String,
    /// When it entered its `operationState`, RFC 3339.
    pub status_entered_time: String,
    /// RFC 3339.
    pub start_time: String,
    pub ns_instance_id: String,
    /// INSTANTIATE, SCALE, HEAL or TERMINATE.
    pub lcm_operation_type: String,
    pub is_automatic_invocation: bool,
    /// Whether a cancel was asked and the operation has not stopped yet.
    pub is_cancel_pending: bool,
    /// What the operation was asked to do (for INSTANTIATE, the placement it resolved); left
    /// out under `exclude_default`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub operation_params: serde_json::Value,
    /// The step running now, or the last one: networks, extend, allocate, check, modify, start,
    /// script, delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<String>,
    /// What the step is doing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_detail: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ProblemSchema>)]
    pub error: Option<Problem>,
    /// Where it failed, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureInfo>,
    #[serde(rename = "_links")]
    pub links: OpLinks,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpLinks {
    #[serde(rename = "self")]
    pub self_link: Link,
    pub ns_instance: Link,
    /// While PROCESSING: where to cancel it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<Link>,
}

impl NsLcmOpOcc {
    /// `op` as the API shows it, `cancel_pending` from the engine.
    pub fn new(op: OpOcc, cancel_pending: bool) -> Self {
        Self { is_cancel_pending: cancel_pending, ..Self::from(op) }
    }
}

impl From<OpOcc> for NsLcmOpOcc {
    fn from(op: OpOcc) -> Self {
        let kind = op.operation.kind().as_str();
        let params = match &op.operation {
            Operation::Instantiate { placement } => serde_json::json!({ "placement": placement }),
            Operation::Scale { vnf, instances, .. } => {
                serde_json::json!({ "vnfName": vnf, "numberOfInstances": instances })
            }
            Operation::Terminate => serde_json::json!({}),
            Operation::Heal { vnfcs, .. } => serde_json::json!({ "vnfcInstanceNames": vnfcs }),
            Operation::Update { vnf, changes } => serde_json::json!({
                "updateType": "MODIFY_VNF_INFORMATION",
                "modifyVnfInfoData": [{ "vnfInstanceId": vnf, "metadata": changes }],
            }),
        };
        let automatic = matches!(op.operation, Operation::Heal { auto: true, .. });
        let error = op.error.as_ref().map(|f| Problem {
            problem_type: "urn:archipel:problem:operation-failed".to_owned(),
            title: format!("{} failed", kind.to_lowercase()),
            status: 500,
            detail: format!("step {}: {}", f.step, f.reason),
            path: None,
        });
        let href = format!("/nslcm/v1/ns_lcm_op_occs/{}", op.id);
        let processing = op.state == crate::model::OperationState::Processing;
        Self {
            links: OpLinks {
                cancel: processing.then(|| Link::to(format!("{href}/cancel"))),
                self_link: Link::to(href),
                ns_instance: Link::to(format!("/nslcm/v1/ns_instances/{}", op.nsr_id)),
            },
            id: op.id,
            operation_state: op.state.as_str().to_owned(),
            status_entered_time: ids::rfc3339(op.entered),
            start_time: ids::rfc3339(op.started),
            ns_instance_id: op.nsr_id,
            lcm_operation_type: kind.to_owned(),
            is_automatic_invocation: automatic,
            is_cancel_pending: false,
            operation_params: params,
            current_step: op.step.map(|s| s.to_string()),
            step_detail: op.detail,
            error,
            failure: op.error.map(FailureInfo::from),
        }
    }
}

/// The body of a cancel (SOL005 `CancelMode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelMode {
    /// Both stop the operation before its next step: a call to a site in flight is not cut.
    pub cancel_mode: CancelModeType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancelModeType {
    Graceful,
    Forceful,
}
