//! NS update (SOL005 `UpdateNsRequest`, the part Archipel acts on).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Changes an instance (SOL005 `UpdateNsRequest`): here, a VNF's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateNsRequest {
    pub update_type: UpdateType,
    /// One VNF per update.
    #[schema(min_items = 1, max_items = 1)]
    pub modify_vnf_info_data: Vec<ModifyVnfInfoData>,
}

/// The kinds of update Archipel does: SOL005 names others (ADD_VNF, …), which it refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UpdateType {
    ModifyVnfInformation,
}

/// What changes of one VNF (SOL005 `ModifyVnfInfoData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModifyVnfInfoData {
    /// The VNF instance's id: its VNFD name.
    pub vnf_instance_id: String,
    /// Configuration keys (environment variables of its containers) to set, or, null, to give
    /// back to the descriptor's value; at most 64.
    pub metadata: BTreeMap<String, Option<String>>,
}
