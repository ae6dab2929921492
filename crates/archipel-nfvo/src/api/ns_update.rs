//! `POST /nslcm/v1/ns_instances/{id}/update`: SOL005's NS update, for what an instance can
//! change here: a VNF's configuration (`MODIFY_VNF_INFORMATION`).

use axum::extract::{Path, State};
use axum::response::Response;

use super::dto::{NsLcmOpOcc, UpdateNsRequest};
use super::extract::JsonBody;
use super::nslcm::accepted;
use super::problem::ApiError;
use super::responses::{BadRequest, Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType};
use crate::Nfvo;

/// Begins changing a VNF's configuration: its `metadata` keys are set (or, null, given back to
/// the descriptor's value) and kept over the descriptor's; every started VNFC instance whose
/// environment changes by it (the VNF's own, and those of the VNFs that take a changed
/// parameter) is re-created with its name and addresses. Other update types are refused (400).
#[utoipa::path(
    post,
    operation_id = "updateNs",
    path = "/nslcm/v1/ns_instances/{id}/update",
    tag = "nslcm",
    params(("id" = String, Path, description = "the instance's id")),
    request_body = UpdateNsRequest,
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
pub async fn update(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<UpdateNsRequest>,
) -> Result<Response, ApiError> {
    let [data] = <[_; 1]>::try_from(request.modify_vnf_info_data).map_err(|all: Vec<_>| {
        ApiError::bad_request(format!(
            "modifyVnfInfoData holds {} entries: one VNF per update",
            all.len()
        ))
    })?;
    accepted(nfvo.update(&id, &data.vnf_instance_id, data.metadata)?)
}
