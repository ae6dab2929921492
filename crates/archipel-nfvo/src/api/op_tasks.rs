//! `/nslcm/v1/ns_lcm_op_occs/{id}/cancel|retry|rollback|continue|fail`: SOL005's task
//! resources. A PROCESSING operation is cancelled before its next step, undone, and ends
//! ROLLED_BACK; the other four need FAILED_TEMP, which an Archipel operation never is (a failed
//! step is rolled back at once), so they answer 409 saying so, or 404 for an unknown id.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::dto::{CancelMode, NsLcmOpOcc};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{BadRequest, Conflict, NotFound};
use crate::engine::OpTask;
use crate::Nfvo;

/// Cancels a PROCESSING operation: it stops before its next step (a call to a site in flight
/// is not cut, whatever the mode), undoes what it made and ends ROLLED_BACK; meanwhile its
/// `isCancelPending` is true.
#[utoipa::path(
    post,
    operation_id = "cancelNsLcmOpOcc",
    path = "/nslcm/v1/ns_lcm_op_occs/{id}/cancel",
    tag = "nslcm",
    params(("id" = String, Path, description = "the operation occurrence's id")),
    request_body = CancelMode,
    responses(
        (status = 202, description = "the cancel is asked"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn cancel(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(_mode): JsonBody<CancelMode>,
) -> Result<StatusCode, ApiError> {
    nfvo.cancel_op(&id)?;
    Ok(StatusCode::ACCEPTED)
}

/// SOL005's retry of a FAILED_TEMP operation: always 409 here (or 404).
#[utoipa::path(
    post,
    operation_id = "retryNsLcmOpOcc",
    path = "/nslcm/v1/ns_lcm_op_occs/{id}/retry",
    tag = "nslcm",
    params(("id" = String, Path, description = "the operation occurrence's id")),
    responses(
        (status = 202, description = "never: no operation is FAILED_TEMP"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn retry(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.op_task(&id, OpTask::Retry)?;
    Ok(StatusCode::ACCEPTED)
}

/// SOL005's rollback of a FAILED_TEMP operation: always 409 here (or 404).
#[utoipa::path(
    post,
    operation_id = "rollbackNsLcmOpOcc",
    path = "/nslcm/v1/ns_lcm_op_occs/{id}/rollback",
    tag = "nslcm",
    params(("id" = String, Path, description = "the operation occurrence's id")),
    responses(
        (status = 202, description = "never: no operation is FAILED_TEMP"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn rollback(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.op_task(&id, OpTask::Rollback)?;
    Ok(StatusCode::ACCEPTED)
}

/// SOL005's continue of a FAILED_TEMP operation: always 409 here (or 404).
#[utoipa::path(
    post,
    operation_id = "continueNsLcmOpOcc",
    path = "/nslcm/v1/ns_lcm_op_occs/{id}/continue",
    tag = "nslcm",
    params(("id" = String, Path, description = "the operation occurrence's id")),
    responses(
        (status = 202, description = "never: no operation is FAILED_TEMP"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn resume(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.op_task(&id, OpTask::Continue)?;
    Ok(StatusCode::ACCEPTED)
}

/// SOL005's fail of a FAILED_TEMP operation: always 409 here (or 404).
#[utoipa::path(
    post,
    operation_id = "failNsLcmOpOcc",
    path = "/nslcm/v1/ns_lcm_op_occs/{id}/fail",
    tag = "nslcm",
    params(("id" = String, Path, description = "the operation occurrence's id")),
    responses(
        (status = 200, description = "never: no operation is FAILED_TEMP", body = NsLcmOpOcc),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn fail(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<NsLcmOpOcc>, ApiError> {
    Ok(Json(NsLcmOpOcc::from(nfvo.op_task(&id, OpTask::Fail)?)))
}
