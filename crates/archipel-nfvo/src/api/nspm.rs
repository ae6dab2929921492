//! `/nspm/v1/pm_jobs`: NS performance management's PM jobs and their reports.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{CallbackModifications, CreatePmJobRequest, PerformanceReport, PmJobInfo};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use crate::model::PmJob;
use crate::Nfvo;

fn info(nfvo: &Nfvo, job: PmJob) -> Result<PmJobInfo, ApiError> {
    let reports = nfvo.store().pm_reports(&job.id).map_err(crate::error::NfvoError::from)?;
    Ok(PmJobInfo::new(job, &reports))
}

/// Makes a PM job: its NS instances measured every collection period, a report written every
/// reporting period and notified to the callback (PerformanceInformationAvailableNotification).
/// The callback is tested first: a GET must answer 204, else 422.
#[utoipa::path(
    post,
    operation_id = "createPmJob",
    path = "/nspm/v1/pm_jobs",
    tag = "nspm",
    request_body = CreatePmJobRequest,
    responses(
        (status = 201, description = "created", body = PmJobInfo,
         headers(("Location" = String, description = "the PM job's URL"))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<CreatePmJobRequest>,
) -> Result<Response, ApiError> {
    let job = nfvo.create_pm_job(request.into()).await?;
    let body = PmJobInfo::new(job, &[]);
    let location = body.links.self_link.href.clone();
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

#[utoipa::path(
    get,
    operation_id = "listPmJobs",
    path = "/nspm/v1/pm_jobs",
    tag = "nspm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the PM jobs, oldest first: a page, filtered and selected as asked (exclude_default leaves out reports)",
         body = [PmJobInfo], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let items =
        nfvo.pm_jobs()?.into_iter().map(|job| info(&nfvo, job)).collect::<Result<Vec<_>, _>>()?;
    collection::answer(&items, &request, collection::PM_JOBS, nfvo.config().page_size)
}

#[utoipa::path(
    get,
    operation_id = "getPmJob",
    path = "/nspm/v1/pm_jobs/{id}",
    tag = "nspm",
    params(("id" = String, Path, description = "the PM job's id")),
    responses((status = 200, description = "the PM job", body = PmJobInfo), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<PmJobInfo>, ApiError> {
    Ok(Json(info(&nfvo, nfvo.pm_job(&id)?)?))
}

/// Points the job's notifications at another callback, tested first (422 when it fails).
#[utoipa::path(
    patch,
    operation_id = "modifyPmJob",
    path = "/nspm/v1/pm_jobs/{id}",
    tag = "nspm",
    params(("id" = String, Path, description = "the PM job's id")),
    request_body(content = CallbackModifications, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "changed: what was asked", body = CallbackModifications),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn modify(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<CallbackModifications>,
) -> Result<Json<CallbackModifications>, ApiError> {
    nfvo.modify_pm_job(&id, request.callback_uri.clone()).await?;
    Ok(Json(request))
}

/// Ends a PM job; its reports go with it.
#[utoipa::path(
    delete,
    operation_id = "deletePmJob",
    path = "/nspm/v1/pm_jobs/{id}",
    tag = "nspm",
    params(("id" = String, Path, description = "the PM job's id")),
    responses((status = 204, description = "deleted"), (status = 404, response = NotFound))
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.delete_pm_job(&id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// One report of a PM job: each metric of each NS instance, with its values over the period.
#[utoipa::path(
    get,
    operation_id = "getPmReport",
    path = "/nspm/v1/pm_jobs/{id}/reports/{reportId}",
    tag = "nspm",
    params(
        ("id" = String, Path, description = "the PM job's id"),
        ("reportId" = String, Path, description = "the report's id"),
    ),
    responses((status = 200, description = "the report", body = PerformanceReport), (status = 404, response = NotFound))
)]
pub async fn report(
    State(nfvo): State<Nfvo>,
    Path((id, report)): Path<(String, String)>,
) -> Result<Json<PerformanceReport>, ApiError> {
    Ok(Json(nfvo.pm_report(&id, &report)?.into()))
}
