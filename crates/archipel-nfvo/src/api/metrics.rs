//! `/metrics`: the NFVO's Prometheus series, for a reader.

use axum::extract::State;
use axum::response::Response;

use super::problem::ApiError;
use crate::Nfvo;

/// The NFVO's series in the Prometheus (OpenMetrics) text format: lifecycle operations by
/// type and outcome with their durations, instances by status, refused logins, heals.
#[utoipa::path(
    get,
    operation_id = "getMetrics",
    path = "/metrics",
    tag = "health",
    responses((status = 200, description = "the series", content_type = "application/openmetrics-text", body = String))
)]
pub async fn metrics(State(nfvo): State<Nfvo>) -> Result<Response, ApiError> {
    let statuses = nfvo.nsrs()?.into_iter().map(|nsr| nsr.status);
    Ok(nfvo.metrics().render(statuses))
}
