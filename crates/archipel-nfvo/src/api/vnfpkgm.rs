//! `/vnfpkgm/v1/vnf_packages`: SOL005 VNF package management over Open Baton's package format.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::collection::{self, Collection, CollectionQuery};
use super::dto::{
    CreateVnfPkgInfoRequest, OperationalState, PackageContent, VnfPkgInfo, VnfPkgInfoModifications,
};
use super::extract::{media_type, unsupported, JsonBody, RawBody};
use super::problem::ApiError;
use super::responses::{
    BadRequest, Conflict, NotFound, PayloadTooLarge, PreconditionFailed, UnsupportedMediaType,
};
use crate::error::NfvoError;
use crate::Nfvo;

/// The media type of a package's content.
const TAR: &str = "application/x-tar";

fn info(nfvo: &Nfvo, id: &str) -> Result<VnfPkgInfo, NfvoError> {
    let record = nfvo.package(id)?;
    let in_use = nfvo.packages_in_use()?.contains_key(id);
    Ok(VnfPkgInfo::new(record, in_use))
}

/// Makes an empty VNF package; upload its content next.
#[utoipa::path(
    post,
    operation_id = "createVnfPackage",
    path = "/vnfpkgm/v1/vnf_packages",
    tag = "vnfpkgm",
    request_body(content = Option<CreateVnfPkgInfoRequest>, description = "empty, {}, or SOL005's userDefinedData"),
    responses(
        (status = 201, description = "made, CREATED", body = VnfPkgInfo,
         headers(("Location" = String, description = "the new package's URL"))),
        (status = 400, response = BadRequest),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<CreateVnfPkgInfoRequest>,
) -> Result<Response, ApiError> {
    // SOL005's user-defined data is the client's: it is not kept.
    drop(request);
    let record = nfvo.create_package()?;
    let info = info(&nfvo, &record.id)?;
    let location = info.links.self_link.href.clone();
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(info)).into_response())
}

/// Every VNF package.
#[utoipa::path(
    get,
    operation_id = "listVnfPackages",
    path = "/vnfpkgm/v1/vnf_packages",
    tag = "vnfpkgm",
    params(CollectionQuery),
    responses(
        (status = 200, description = "the packages, oldest first: a page, filtered and selected as asked",
         body = [VnfPkgInfo], headers(("Link" = String, description = "the next page, rel=\"next\""))),
        (status = 400, response = BadRequest),
    )
)]
pub async fn list(State(nfvo): State<Nfvo>, request: Collection) -> Result<Response, ApiError> {
    let in_use = nfvo.packages_in_use()?;
    let infos: Vec<VnfPkgInfo> = nfvo
        .packages()?
        .into_iter()
        .map(|record| {
            let used = in_use.contains_key(&record.id);
            VnfPkgInfo::new(record, used)
        })
        .collect();
    collection::answer(&infos, &request, collection::PACKAGES, nfvo.config().page_size)
}

#[utoipa::path(
    get,
    operation_id = "getVnfPackage",
    path = "/vnfpkgm/v1/vnf_packages/{id}",
    tag = "vnfpkgm",
    params(("id" = String, Path, description = "the package's id")),
    responses(
        (status = 200, description = "the package", body = VnfPkgInfo,
         headers(("ETag" = String, description = "its version, for If-Match"))),
        (status = 404, response = NotFound),
    )
)]
pub async fn show(State(nfvo): State<Nfvo>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let record = nfvo.package(&id)?;
    let etag = etag(&record);
    Ok(([etag], Json(info(&nfvo, &id)?)).into_response())
}

/// Enables or disables an onboarded package: a DISABLED package cannot be named by an NSD
/// onboarded next, and can be deleted. With `If-Match`, refused (412) when the package changed
/// since that ETag was read; setting the state it is in is a conflict (409).
#[utoipa::path(
    patch,
    operation_id = "modifyVnfPackage",
    path = "/vnfpkgm/v1/vnf_packages/{id}",
    tag = "vnfpkgm",
    params(
        ("id" = String, Path, description = "the package's id"),
        ("If-Match" = Option<String>, Header, description = "the ETag the change is made against"),
    ),
    request_body(content = VnfPkgInfoModifications, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "changed: what was asked", body = VnfPkgInfoModifications,
         headers(("ETag" = String, description = "the package's new version"))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn modify(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<VnfPkgInfoModifications>,
) -> Result<Response, ApiError> {
    let if_match = headers.get(header::IF_MATCH).map(|v| v.to_str().unwrap_or_default());
    let enabled = request.operational_state == OperationalState::Enabled;
    let record = nfvo.set_package_enabled(&id, enabled, if_match)?;
    Ok(([etag(&record)], Json(request)).into_response())
}

fn etag(record: &crate::store::PackageRecord) -> (HeaderName, HeaderValue) {
    (header::ETAG, HeaderValue::try_from(record.etag()).expect("ASCII"))
}

/// Deletes a DISABLED package no onboarded NSD names.
#[utoipa::path(
    delete,
    operation_id = "deleteVnfPackage",
    path = "/vnfpkgm/v1/vnf_packages/{id}",
    tag = "vnfpkgm",
    params(("id" = String, Path, description = "the package's id")),
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
    nfvo.delete_package(&id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Uploads the package's content: an Open Baton package, a plain tar holding `Metadata.yaml`
/// (with its `name`), `vnfd.json` and the `scripts/` folder. It is checked before it is kept;
/// a package takes its content once.
#[utoipa::path(
    put,
    operation_id = "uploadVnfPackageContent",
    path = "/vnfpkgm/v1/vnf_packages/{id}/package_content",
    tag = "vnfpkgm",
    params(("id" = String, Path, description = "the package's id")),
    request_body(content = PackageContent, content_type = "application/octet-stream",
                 description = "the package's tar (sent as application/x-tar or application/octet-stream)"),
    responses(
        (status = 202, description = "accepted and onboarded"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn upload(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<StatusCode, ApiError> {
    if !matches!(media_type(&headers).as_deref(), Some(TAR | "application/octet-stream")) {
        let detail = "send the package as application/x-tar (an Open Baton package is a plain tar)";
        return Err(unsupported(detail).into());
    }
    nfvo.upload_package(&id, &body)?;
    Ok(StatusCode::ACCEPTED)
}

/// The package's content as it was uploaded; one byte range with `Range`.
#[utoipa::path(
    get,
    operation_id = "getVnfPackageContent",
    path = "/vnfpkgm/v1/vnf_packages/{id}/package_content",
    tag = "vnfpkgm",
    params(("id" = String, Path, description = "the package's id")),
    responses(
        (status = 200, description = "the package's tar", body = PackageContent, content_type = "application/x-tar"),
        (status = 206, description = "the byte range asked for", body = PackageContent, content_type = "application/x-tar",
         headers(("Content-Range" = String, description = "bytes <first>-<last>/<length>"))),
        (status = 404, response = NotFound),
        (status = 416, response = super::responses::RangeNotSatisfiable),
        (status = 409, response = Conflict),
    )
)]
pub async fn content(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(content) = nfvo.package(&id)?.content else {
        let state = "has no content yet: upload it first";
        return Err(NfvoError::PackageState { id, state }.into());
    };
    Ok(super::content::serve(&headers, TAR, content))
}
