//! `/health`: whether the daemon answers, for load balancers and probes; no credentials.

use axum::Json;

use super::dto::Health;

#[utoipa::path(
    get,
    operation_id = "health",
    path = "/health",
    tag = "health",
    security(()),
    responses((status = 200, description = "the daemon answers", body = Health))
)]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".to_owned() })
}
