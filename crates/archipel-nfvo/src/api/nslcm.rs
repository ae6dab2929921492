//! `/nslcm/v1`: network-service instances and their lifecycle operations.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::HEAL_LIMIT;
use super::dto::{
    CreateNsRequest, HealNsRequest, InstantiateNsRequest, NsInstance, NsLcmOpOcc, ScaleNsRequest,
    ScaleTarget, TerminateNsRequest,
};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use crate::engine::NewNs;
use crate::model::OpOcc;
use crate::Nfvo;

/// Creates a network service from an onboarded NSD, in status NULL: nothing happens at any site.
#[utoipa::path(
    post,
    operation_id = "createNsInstance",
    path = "/nslcm/v1/ns_instances",
    tag = "nslcm",
    request_body = CreateNsRequest,
    responses(
        (status = 201, description = "created", body = NsInstance,
         headers(("Location" = String, description = "the new instance's URL"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<CreateNsRequest>,
) -> Result<Response, ApiError> {
    let nsr = nfvo.create_ns(NewNs {
        nsd_id: request.nsd_id,
        name: request.ns_name.unwrap_or_default(),
        description: request.ns_description.unwrap_or_default(),
    })?;
    let instance = NsInstance::from(nsr);
    let location = instance.links.self_link.href.clone();
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(instance)).into_response())
}

#[utoipa::path(
    get,
    operation_id = "listNsInstances",
    path = "/nslcm/v1/ns_instances",
    tag = "nslcm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the instances, oldest first: a page, filtered and selected as asked",
         body = [NsInstance], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let items: Vec<NsInstance> = nfvo.nsrs()?.into_iter().map(NsInstance::from).collect();
    collection::answer(&items, &request, collection::NS_INSTANCES, nfvo.config().page_size)
}

#[utoipa::path(
    get,
    operation_id = "getNsInstance",
    path = "/nslcm/v1/ns_instances/{id}",
    tag = "nslcm",
    params(("id" = String, Path, description = "the instance's id")),
    responses((status = 200, description = "the instance", body = NsInstance), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<NsInstance>, ApiError> {
    Ok(Json(NsInstance::from(nfvo.nsr(&id)?)))
}

/// Deletes an instance that holds nothing at any site (never instantiated, terminated, or
/// failed with everything undone) and runs no operation.
#[utoipa::path(
    delete,
    operation_id = "deleteNsInstance",
    path = "/nslcm/v1/ns_instances/{id}",
    tag = "nslcm",
    params(("id" = String, Path, description = "the instance's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn delete(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.delete_ns(&id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Begins instantiating: networks, every VNFC created, dependencies resolved into metadata,
/// start in dependency order, ACTIVE. Follow the operation occurrence it answers.
#[utoipa::path(
    post,
    operation_id = "instantiateNs",
    path = "/nslcm/v1/ns_instances/{id}/instantiate",
    tag = "nslcm",
    params(("id" = String, Path, description = "the instance's id")),
    request_body = InstantiateNsRequest,
    responses(
        (status = 202, description = "begun", body = NsLcmOpOcc,
         headers(("Location" = String, description = "the operation occurrence's URL"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn instantiate(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<InstantiateNsRequest>,
) -> Result<Response, ApiError> {
    nfvo.nsr(&id)?;
    if let Some(at) = &request.start_time {
        if later(at, "startTime")? {
            let reason = "a scheduled instantiation is not supported: omit startTime";
            return Err(invalid(reason.to_owned()));
        }
    }
    let (placement, auto_heal) = request.resolved().map_err(invalid)?;
    accepted(nfvo.instantiate_with(&id, placement, auto_heal)?)
}

fn invalid(reason: String) -> ApiError {
    crate::NfvoError::InvalidRequest { reason }.into()
}

/// Whether an RFC 3339 time is in the future (a scheduled operation, which is not taken).
fn later(time: &str, field: &str) -> Result<bool, ApiError> {
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    let at = time::OffsetDateTime::parse(time, rfc3339)
        .map_err(|_| invalid(format!("{field} {time:?} is not an RFC 3339 date and time")))?;
    Ok(at > time::OffsetDateTime::now_utc())
}

/// Begins scaling one VNF out or in.
#[utoipa::path(
    post,
    operation_id = "scaleNs",
    path = "/nslcm/v1/ns_instances/{id}/scale",
    tag = "nslcm",
    params(("id" = String, Path, description = "the instance's id")),
    request_body = ScaleNsRequest,
    responses(
        (status = 202, description = "begun", body = NsLcmOpOcc,
         headers(("Location" = String, description = "the operation occurrence's URL"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn scale(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<ScaleNsRequest>,
) -> Result<Response, ApiError> {
    let nsr = nfvo.nsr(&id)?;
    if let Some(at) = &request.scale_time {
        if later(at, "scaleTime")? {
            return Err(invalid("a scheduled scale is not supported: omit scaleTime".to_owned()));
        }
    }
    let (vnf, change, site) = request.resolved().map_err(invalid)?;
    let current = nsr.vnfr(&vnf).map_or(0, |v| v.vnfcs.iter().filter(|c| c.vdu == 0).count());
    let current = u32::try_from(current).unwrap_or(u32::MAX);
    let instances = match change {
        ScaleTarget::To(n) => n,
        ScaleTarget::Out(steps) => current.saturating_add(steps),
        ScaleTarget::In(steps) => current.saturating_sub(steps),
    };
    accepted(nfvo.scale(&id, &vnf, instances, site)?)
}

/// Begins removing every container and network of the instance.
#[utoipa::path(
    post,
    operation_id = "terminateNs",
    path = "/nslcm/v1/ns_instances/{id}/terminate",
    tag = "nslcm",
    params(("id" = String, Path, description = "the instance's id")),
    request_body(content = Option<TerminateNsRequest>, description = "empty, {}, or a terminationTime not in the future"),
    responses(
        (status = 202, description = "begun", body = NsLcmOpOcc,
         headers(("Location" = String, description = "the operation occurrence's URL"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn terminate(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<TerminateNsRequest>,
) -> Result<Response, ApiError> {
    nfvo.nsr(&id)?;
    if let Some(at) = &request.termination_time {
        if later(at, "terminationTime")? {
            let reason = "a scheduled termination is not supported: omit terminationTime";
            return Err(invalid(reason.to_owned()));
        }
    }
    accepted(nfvo.terminate(&id)?)
}

/// Begins healing the instance: each failed VNFC instance (or those named) is re-created at
/// its site with its name, addresses and metadata, and started; its dependants are left running.
#[utoipa::path(
    post,
    operation_id = "healNs",
    path = "/nslcm/v1/ns_instances/{id}/heal",
    tag = "nslcm",
    params(("id" = String, Path, description = "the instance's id")),
    request_body(content = Option<HealNsRequest>, description = "empty, {}, or the VNFC instances to heal"),
    responses(
        (status = 202, description = "begun", body = NsLcmOpOcc,
         headers(("Location" = String, description = "the operation occurrence's URL"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn heal(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<HealNsRequest>,
) -> Result<Response, ApiError> {
    if request.vnfc_instance_names.len() > HEAL_LIMIT {
        return Err(crate::NfvoError::InvalidRequest {
            reason: format!("vnfcInstanceNames: at most {HEAL_LIMIT} names"),
        }
        .into());
    }
    accepted(nfvo.heal(&id, request.vnfc_instance_names)?)
}

/// Every operation occurrence, oldest first.
#[utoipa::path(
    get,
    operation_id = "listNsLcmOpOccs",
    path = "/nslcm/v1/ns_lcm_op_occs",
    tag = "nslcm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the operation occurrences: a page, filtered and selected as asked",
         body = [NsLcmOpOcc], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn ops(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let info = |op: OpOcc| {
        let pending = nfvo.cancel_pending(&op.id);
        NsLcmOpOcc::new(op, pending)
    };
    let items: Vec<NsLcmOpOcc> = nfvo.ops()?.into_iter().map(info).collect();
    collection::answer(&items, &request, collection::OPS, nfvo.config().page_size)
}

#[utoipa::path(
    get,
    operation_id = "getNsLcmOpOcc",
    path = "/nslcm/v1/ns_lcm_op_occs/{id}",
    tag = "nslcm",
    params(("id" = String, Path, description = "the operation occurrence's id")),
    responses((status = 200, description = "the operation occurrence", body = NsLcmOpOcc), (status = 404, response = NotFound))
)]
pub async fn op(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
) -> Result<Json<NsLcmOpOcc>, ApiError> {
    let pending = nfvo.cancel_pending(&id);
    Ok(Json(NsLcmOpOcc::new(nfvo.op(&id)?, pending)))
}

pub(super) fn accepted(op: OpOcc) -> Result<Response, ApiError> {
    let op = NsLcmOpOcc::from(op);
    let location = op.links.self_link.href.clone();
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(op)).into_response())
}
