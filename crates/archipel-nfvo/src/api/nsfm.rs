//! `/nsfm/v1`: fault management, the alarms the watch raises.

use axum::extract::State;
use axum::response::Response;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::AlarmInfo;
use super::problem::ApiError;
use super::responses::BadRequest;
use crate::Nfvo;

/// Every alarm of every instance, raised and cleared, oldest first per instance.
#[utoipa::path(
    get,
    operation_id = "listAlarms",
    path = "/nsfm/v1/alarms",
    tag = "nsfm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the alarms: a page, filtered and selected as asked",
         body = [AlarmInfo], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn alarms(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let items: Vec<AlarmInfo> = nfvo.nsrs()?.iter().flat_map(AlarmInfo::of).collect();
    collection::answer(&items, &request, collection::ALARMS, nfvo.config().page_size)
}
