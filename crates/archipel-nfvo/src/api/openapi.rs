//! The OpenAPI document, generated from the handlers and the DTOs.

use axum::Json;
use utoipa::OpenApi;

use super::dto;
use super::responses::{
    BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::{nsd, nslcm, sites};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Archipel NFVO",
        description = "The orchestrator of Archipel: NSD catalogue, network-service lifecycle \
                       and sites, shaped after ETSI NFV-SOL 005. Errors are problem details \
                       (RFC 9457)."
    ),
    paths(
        nsd::onboard, nsd::list, nsd::show, nsd::content, nsd::delete,
        nslcm::create, nslcm::list, nslcm::show, nslcm::delete,
        nslcm::instantiate, nslcm::scale, nslcm::terminate, nslcm::ops, nslcm::op,
        sites::add, sites::list, sites::show, sites::remove,
    ),
    components(
        schemas(dto::ProblemSchema),
        responses(BadRequest, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable),
    ),
    tags(
        (name = "nsd", description = "NSD management: the catalogue"),
        (name = "nslcm", description = "NS lifecycle management"),
        (name = "sites", description = "The sites VNFs are placed on"),
    )
)]
struct ApiDoc;

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(super) async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
