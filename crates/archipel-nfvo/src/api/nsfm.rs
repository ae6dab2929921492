//! `/nsfm/v1`: fault management, the alarms the watch raises.

use axum::extract::State;
use axum::Json;

use super::dto::AlarmInfo;
use super::problem::ApiError;
use crate::Nfvo;

/// Every alarm of every instance, raised and cleared, oldest first per instance.
#[utoipa::path(
    get,
    operation_id = "listAlarms",
    path = "/nsfm/v1/alarms",
    tag = "nsfm",
    responses((status = 200, description = "the alarms", body = [AlarmInfo]))
)]
pub async fn alarms(State(nfvo): State<Nfvo>) -> Result<Json<Vec<AlarmInfo>>, ApiError> {
    Ok(Json(nfvo.nsrs()?.iter().flat_map(AlarmInfo::of).collect()))
}
