//! A VNF package's files: its VNFD (`…/vnfd`) and its artifacts (`…/artifacts/{path}`), as
//! SOL005's VNF package management serves them.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::content;
use super::dto::PackageContent;
use super::problem::ApiError;
use super::responses::{Conflict, NotAcceptable, NotFound, RangeNotSatisfiable};
use crate::package::VNFD;
use crate::Nfvo;

const TEXT: &str = "text/plain";
const ZIP: &str = "application/zip";
const OCTETS: &str = "application/octet-stream";

/// The package's VNFD: its `vnfd.json` as text/plain (SOL005's single-file VNFD), or in a zip
/// when `Accept` takes application/zip and not text/plain.
#[utoipa::path(
    get,
    operation_id = "getVnfd",
    path = "/vnfpkgm/v1/vnf_packages/{id}/vnfd",
    tag = "vnfpkgm",
    params(("id" = String, Path, description = "the package's id")),
    responses(
        (status = 200, description = "the VNFD (Open Baton JSON)", body = String, content_type = "text/plain"),
        (status = 404, response = NotFound),
        (status = 406, response = NotAcceptable),
        (status = 409, response = Conflict),
    )
)]
pub async fn vnfd(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let types = content::accepted(&headers);
    let takes = |mime: &str| types.iter().any(|t| t == mime);
    let text = types.is_empty() || takes(TEXT) || takes("text/*") || takes("*/*");
    if !text && !takes(ZIP) {
        return Err(content::not_acceptable("text/plain or application/zip"));
    }
    let document = nfvo.package_file(&id, VNFD)?;
    Ok(if text {
        content::serve(&headers, TEXT, document)
    } else {
        content::serve(&headers, ZIP, content::zipped(VNFD, &document))
    })
}

/// A file of the package (a script, its metadata), by its path in the package; one byte
/// range with `Range`.
#[utoipa::path(
    get,
    operation_id = "getVnfPackageArtifact",
    path = "/vnfpkgm/v1/vnf_packages/{id}/artifacts/{artifactPath}",
    tag = "vnfpkgm",
    params(
        ("id" = String, Path, description = "the package's id"),
        ("artifactPath" = String, Path, description = "the file's path in the package, e.g. scripts/start.sh"),
    ),
    responses(
        (status = 200, description = "the file", body = PackageContent, content_type = "application/octet-stream"),
        (status = 206, description = "the byte range asked for", body = PackageContent, content_type = "application/octet-stream",
         headers(("Content-Range" = String, description = "bytes <first>-<last>/<length>"))),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 416, response = RangeNotSatisfiable),
    )
)]
pub async fn artifact(
    State(nfvo): State<Nfvo>,
    Path((id, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    Ok(content::serve(&headers, OCTETS, nfvo.package_file(&id, &path)?))
}
