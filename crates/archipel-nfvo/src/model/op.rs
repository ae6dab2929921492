//! Lifecycle operation occurrences (SOL005's `NsLcmOpOcc`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::nsr::Failure;
use super::Step;

/// An operation on an NSR and what it was asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operation {
    /// Placement: VNF name -> site name, for the VNFs the request places.
    Instantiate {
        placement: BTreeMap<String, String>,
    },
    /// Bring the VNF's first VDU from `before` to `instances` VNFC instances; new ones go to
    /// `site` (default: the site the VNF was placed on).
    Scale {
        vnf: String,
        instances: u32,
        before: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<String>,
    },
    Terminate,
    /// Re-create the VNFC instances named (container names) where they were, with their names,
    /// addresses and metadata, and start them; `auto`: begun by the watch, not an operator.
    Heal {
        vnfcs: Vec<String>,
        #[serde(default)]
        auto: bool,
    },
    /// Change the configuration of VNF `vnf`: each key set to its value, or back to the
    /// descriptor's (None); the VNFC instances whose metadata changes are re-created with it.
    Update {
        vnf: String,
        changes: BTreeMap<String, Option<String>>,
    },
}

impl Operation {
    pub fn kind(&self) -> LcmOperation {
        match self {
            Operation::Instantiate { .. } => LcmOperation::Instantiate,
            Operation::Scale { .. } => LcmOperation::Scale,
            Operation::Terminate => LcmOperation::Terminate,
            Operation::Heal { .. } => LcmOperation::Heal,
            Operation::Update { .. } => LcmOperation::Update,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LcmOperation {
    Instantiate,
    Scale,
    Terminate,
    Heal,
    Update,
}

impl LcmOperation {
    pub fn as_str(self) -> &'static str {
        match self {
            LcmOperation::Instantiate => "INSTANTIATE",
            LcmOperation::Scale => "SCALE",
            LcmOperation::Terminate => "TERMINATE",
            LcmOperation::Heal => "HEAL",
            LcmOperation::Update => "UPDATE",
        }
    }
}

/// SOL005's operation states that Archipel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationState {
    Processing,
    Completed,
    /// Failed; what it had made is removed.
    Failed,
    /// Interrupted and undone: by a stop of the NFVO (undone at its next start), or by an
    /// operator's cancel.
    RolledBack,
}

impl OperationState {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Processing => "PROCESSING",
            OperationState::Completed => "COMPLETED",
            OperationState::Failed => "FAILED",
            OperationState::RolledBack => "ROLLED_BACK",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            OperationState::Processing,
            OperationState::Completed,
            OperationState::Failed,
            OperationState::RolledBack,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpOcc {
    pub id: String,
    pub nsr_id: String,
    pub operation: Operation,
    pub state: OperationState,
    /// The step running now, or the last one run.
    pub step: Option<Step>,
    /// What the step is doing, for progress displays.
    pub detail: Option<String>,
    pub error: Option<Failure>,
    /// Unix seconds.
    pub started: i64,
    /// Unix seconds: when `state` was entered.
    pub entered: i64,
}
