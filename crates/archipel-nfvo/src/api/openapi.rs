//! The OpenAPI document, generated from the handlers and the DTOs.

use axum::http::Method;
use axum::Json;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{Modify, OpenApi};

use super::dto;
use super::guard::needs;
use super::responses::{
    BadRequest, Conflict, Forbidden, NotAcceptable, NotFound, PayloadTooLarge, PreconditionFailed,
    RangeNotSatisfiable, Unauthorized, Unprocessable, UnsupportedMediaType,
};
use super::{
    events, health, keys, login, metrics, ns_update, nsd, nsd_content, nsd_subscriptions, nsfm,
    nsfm_subscriptions, nslcm, nspm, nspm_thresholds, op_tasks, sites, subscriptions, users,
    versions, vnfpkgm, vnfpkgm_files, vnfpkgm_subscriptions,
};
use crate::model::Role;

/// The name of the security scheme in the document.
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Archipel NFVO",
        description = "The orchestrator of Archipel: NSD catalogue, network-service lifecycle \
                       and sites, shaped after ETSI NFV-SOL 005. Errors are problem details \
                       (RFC 9457). Every operation but the login and the health check needs \
                       `Authorization: Bearer` with a login token or an API key; roles: admin \
                       (users, sites), operator (descriptors, lifecycle, subscriptions, PM jobs and \
                       thresholds, whose callback URLs may carry secrets), reader (GET only, \
                       those aside)."
    ),
    modifiers(&SecurityAddon, &AtLeastOneChange),
    paths(
        health::health, metrics::metrics, login::login, login::logout,
        users::add, users::list, users::remove,
        keys::create, keys::list, keys::revoke,
        nsd::onboard, nsd::list, nsd::show, nsd::modify, nsd::delete,
        nsd_content::upload, nsd_content::download,
        nslcm::create, nslcm::list, nslcm::show, nslcm::delete,
        nslcm::instantiate, nslcm::scale, nslcm::heal, nslcm::terminate, nslcm::ops, nslcm::op,
        ns_update::update,
        op_tasks::cancel, op_tasks::retry, op_tasks::rollback, op_tasks::resume, op_tasks::fail,
        nsfm::alarms, nsfm::alarm, nsfm::modify,
        nsfm_subscriptions::create, nsfm_subscriptions::list, nsfm_subscriptions::show,
        nsfm_subscriptions::delete,
        nspm::create, nspm::list, nspm::show, nspm::modify, nspm::delete, nspm::report,
        nspm_thresholds::create, nspm_thresholds::list, nspm_thresholds::show,
        nspm_thresholds::modify, nspm_thresholds::delete,
        vnfpkgm::create, vnfpkgm::list, vnfpkgm::show, vnfpkgm::modify, vnfpkgm::delete, vnfpkgm::upload,
        vnfpkgm::content, vnfpkgm_files::vnfd, vnfpkgm_files::artifact,
        vnfpkgm_subscriptions::create, vnfpkgm_subscriptions::list, vnfpkgm_subscriptions::show,
        vnfpkgm_subscriptions::delete,
        versions::nsd_v1, versions::nsd, versions::nslcm_v1, versions::nslcm,
        versions::nsfm_v1, versions::nsfm, versions::nspm_v1, versions::nspm,
        versions::vnfpkgm_v1, versions::vnfpkgm,
        subscriptions::nslcm::create, subscriptions::nslcm::list, subscriptions::nslcm::show,
        subscriptions::nslcm::delete,
        nsd_subscriptions::create, nsd_subscriptions::list, nsd_subscriptions::show,
        nsd_subscriptions::delete,
        events::stream,
        sites::add, sites::list, sites::show, sites::remove,
    ),
    components(
        schemas(dto::ProblemSchema),
        responses(BadRequest, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable,
                  Unauthorized, Forbidden, PreconditionFailed, NotAcceptable, RangeNotSatisfiable),
    ),
    tags(
        (name = "auth", description = "Logins, users and API keys"),
        (name = "nsd", description = "NSD management: the catalogue"),
        (name = "nslcm", description = "NS lifecycle management"),
        (name = "events", description = "What happens to network services, as it happens"),
        (name = "nsfm", description = "NS fault management: alarms and their subscriptions"),
        (name = "nspm", description = "NS performance management: PM jobs, their reports, and thresholds"),
        (name = "vnfpkgm", description = "VNF packages: Open Baton packages, their lifecycle scripts, and their subscriptions"),
        (name = "sites", description = "The sites VNFs are placed on"),
        (name = "health", description = "Whether the daemon answers"),
        (name = "versions", description = "SOL013 API versions of the SOL005 APIs"),
    )
)]
struct ApiDoc;

/// Declares the bearer scheme, requires it everywhere, and gives every operation the 401 (and,
/// where a role above reader is needed, the 403) that the guard may answer, as its table says.
struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components
            .add_security_scheme(BEARER, SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        doc.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                (Method::GET, &mut item.get),
                (Method::POST, &mut item.post),
                (Method::PUT, &mut item.put),
                (Method::PATCH, &mut item.patch),
                (Method::DELETE, &mut item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                if let Some(role) = needs(&method, &concrete(path)) {
                    refusals(operation, role);
                }
            }
        }
    }
}

/// A PATCH changes something: its body has at least one property. Set here because utoipa
/// 5.5's `min_properties` writes `maxProperties`.
struct AtLeastOneChange;

impl Modify for AtLeastOneChange {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let schemas = doc.components.as_mut().map(|c| &mut c.schemas);
        let schema = schemas.and_then(|s| s.get_mut("NsdInfoModifications"));
        if let Some(RefOr::T(Schema::Object(object))) = schema {
            object.min_properties = Some(1);
        }
    }
}

/// A path template with its parameters filled, as the guard sees a request.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|part| if part.starts_with('{') { "x" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

fn refusals(operation: &mut Operation, role: Role) {
    let responses = &mut operation.responses.responses;
    responses.entry("401".into()).or_insert_with(|| Ref::from_response_name("Unauthorized").into());
    if role > Role::Reader {
        responses
            .entry("403".into())
            .or_insert_with(|| Ref::from_response_name("Forbidden").into());
    }
}

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(super) async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
