//! The REST edge, shaped after ETSI NFV-SOL 005: handlers turn requests into the core's typed
//! commands and its records into [`dto`]s; every error is problem details; the OpenAPI document,
//! generated from this code, is served at `/openapi.json`; the web view's files at `/ui`. Every
//! route but the document, the health check, the login and the web view's files needs a bearer
//! credential and a role ([`guard`]).

mod collection;
mod content;
pub mod dto;
mod events;
mod extract;
mod guard;
mod health;
mod keys;
mod login;
mod metrics;
mod ns_update;
mod nsd;
mod nsd_content;
mod nsd_subscriptions;
mod nsfm;
mod nsfm_subscriptions;
mod nslcm;
mod nspm;
mod nspm_thresholds;
mod op_tasks;
mod openapi;
mod problem;
pub mod responses;
mod sites;
mod subscriptions;
mod ui;
mod users;
mod versions;
mod vnfpkgm;
mod vnfpkgm_files;
mod vnfpkgm_subscriptions;

use std::sync::Arc;

use archipel_daemon::tls::{serve_https, ServerConfig};
use archipel_daemon::{serve_http, Daemon};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use tokio::net::TcpListener;

pub use archipel_daemon::problem::PROBLEM_JSON;
pub use extract::{BODY_LIMIT, NSD_LIMIT};
pub use openapi::openapi;
pub use problem::ApiError;

use crate::package::PACKAGE_LIMIT;
use crate::Nfvo;
use dto::Problem;

/// The API's routes on `nfvo`.
pub fn router(nfvo: Nfvo) -> Router {
    let nsd_limit = DefaultBodyLimit::max(NSD_LIMIT);
    Router::new()
        .route("/openapi.json", get(openapi::serve))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        .route("/auth/v1/login", post(login::login))
        .route("/auth/v1/logout", post(login::logout))
        .route("/auth/v1/users", get(users::list).post(users::add))
        .route("/auth/v1/users/{name}", delete(users::remove))
        .route("/auth/v1/api_keys", get(keys::list).post(keys::create))
        .route("/auth/v1/api_keys/{id}", delete(keys::revoke))
        .route("/nsd/v1/ns_descriptors", get(nsd::list).post(nsd::onboard).layer(nsd_limit))
        .route("/nsd/v1/ns_descriptors/{id}", get(nsd::show).patch(nsd::modify).delete(nsd::delete))
        .route(
            "/nsd/v1/ns_descriptors/{id}/nsd_content",
            get(nsd_content::download).put(nsd_content::upload).layer(nsd_limit),
        )
        .route("/nslcm/v1/ns_instances", get(nslcm::list).post(nslcm::create))
        .route("/nslcm/v1/ns_instances/{id}", get(nslcm::show).delete(nslcm::delete))
        // A placement names at most every VNF of an NSD, so it may be as large as one.
        .route("/nslcm/v1/ns_instances/{id}/instantiate", post(nslcm::instantiate).layer(nsd_limit))
        .route("/nslcm/v1/ns_instances/{id}/scale", post(nslcm::scale))
        .route("/nslcm/v1/ns_instances/{id}/heal", post(nslcm::heal))
        .route("/nslcm/v1/ns_instances/{id}/terminate", post(nslcm::terminate))
        .route("/nslcm/v1/ns_instances/{id}/update", post(ns_update::update))
        .route("/vnfpkgm/v1/vnf_packages", get(vnfpkgm::list).post(vnfpkgm::create))
        .route(
            "/vnfpkgm/v1/vnf_packages/{id}",
            get(vnfpkgm::show).patch(vnfpkgm::modify).delete(vnfpkgm::delete),
        )
        .route(
            "/vnfpkgm/v1/vnf_packages/{id}/package_content",
            get(vnfpkgm::content)
                .merge(put(vnfpkgm::upload).layer(DefaultBodyLimit::max(PACKAGE_LIMIT))),
        )
        .route("/vnfpkgm/v1/vnf_packages/{id}/vnfd", get(vnfpkgm_files::vnfd))
        .route(
            "/vnfpkgm/v1/vnf_packages/{id}/artifacts/{*artifactPath}",
            get(vnfpkgm_files::artifact),
        )
        .route(
            "/vnfpkgm/v1/subscriptions",
            get(vnfpkgm_subscriptions::list).post(vnfpkgm_subscriptions::create),
        )
        .route(
            "/vnfpkgm/v1/subscriptions/{id}",
            get(vnfpkgm_subscriptions::show).delete(vnfpkgm_subscriptions::delete),
        )
        .route("/nsfm/v1/alarms", get(nsfm::alarms))
        .route("/nsfm/v1/alarms/{id}", get(nsfm::alarm).patch(nsfm::modify))
        .route(
            "/nsfm/v1/subscriptions",
            get(nsfm_subscriptions::list).post(nsfm_subscriptions::create),
        )
        .route(
            "/nsfm/v1/subscriptions/{id}",
            get(nsfm_subscriptions::show).delete(nsfm_subscriptions::delete),
        )
        .route("/nspm/v1/pm_jobs", get(nspm::list).post(nspm::create))
        .route("/nspm/v1/pm_jobs/{id}", get(nspm::show).patch(nspm::modify).delete(nspm::delete))
        .route("/nspm/v1/pm_jobs/{id}/reports/{reportId}", get(nspm::report))
        .route("/nspm/v1/thresholds", get(nspm_thresholds::list).post(nspm_thresholds::create))
        .route(
            "/nspm/v1/thresholds/{id}",
            get(nspm_thresholds::show)
                .patch(nspm_thresholds::modify)
                .delete(nspm_thresholds::delete),
        )
        .route("/nsd/v1/api_versions", get(versions::nsd_v1))
        .route("/nsd/api_versions", get(versions::nsd))
        .route("/nslcm/v1/api_versions", get(versions::nslcm_v1))
        .route("/nslcm/api_versions", get(versions::nslcm))
        .route("/nsfm/v1/api_versions", get(versions::nsfm_v1))
        .route("/nsfm/api_versions", get(versions::nsfm))
        .route("/nspm/v1/api_versions", get(versions::nspm_v1))
        .route("/nspm/api_versions", get(versions::nspm))
        .route("/vnfpkgm/v1/api_versions", get(versions::vnfpkgm_v1))
        .route("/vnfpkgm/api_versions", get(versions::vnfpkgm))
        .route("/nslcm/v1/ns_lcm_op_occs", get(nslcm::ops))
        .route("/nslcm/v1/ns_lcm_op_occs/{id}", get(nslcm::op))
        .route("/nslcm/v1/ns_lcm_op_occs/{id}/cancel", post(op_tasks::cancel))
        .route("/nslcm/v1/ns_lcm_op_occs/{id}/retry", post(op_tasks::retry))
        .route("/nslcm/v1/ns_lcm_op_occs/{id}/rollback", post(op_tasks::rollback))
        .route("/nslcm/v1/ns_lcm_op_occs/{id}/continue", post(op_tasks::resume))
        .route("/nslcm/v1/ns_lcm_op_occs/{id}/fail", post(op_tasks::fail))
        .route(
            "/nslcm/v1/subscriptions",
            get(subscriptions::nslcm::list).post(subscriptions::nslcm::create),
        )
        .route(
            "/nsd/v1/subscriptions",
            get(nsd_subscriptions::list).post(nsd_subscriptions::create),
        )
        .route(
            "/nsd/v1/subscriptions/{id}",
            get(nsd_subscriptions::show).delete(nsd_subscriptions::delete),
        )
        .route(
            "/nslcm/v1/subscriptions/{id}",
            get(subscriptions::nslcm::show).delete(subscriptions::nslcm::delete),
        )
        .route("/archipel/v1/events", get(events::stream))
        .route("/sites", get(sites::list).post(sites::add))
        .route("/sites/{name}", get(sites::show).delete(sites::remove))
        .route("/ui", get(ui::page))
        .route("/ui/", get(ui::page))
        .route("/ui/{file}", get(ui::asset))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(nfvo.clone(), guard::guard))
        .layer(axum::middleware::from_fn(versions::header))
        .with_state(nfvo)
}

/// A running NFVO: the daemon kit's handle over its engine.
pub type NfvoHandle = Daemon<Nfvo, std::io::Error>;

/// Serves the API on `listener` until the handle is shut down; the shutdown then lets the
/// requests in flight finish, then the operations running (each within the drain timeout).
pub fn start(listener: TcpListener, nfvo: Nfvo) -> std::io::Result<NfvoHandle> {
    start_with(listener, nfvo, None)
}

/// As [`start`], over TLS when `tls` is given.
pub fn start_with(
    listener: TcpListener,
    nfvo: Nfvo,
    tls: Option<Arc<ServerConfig>>,
) -> std::io::Result<NfvoHandle> {
    let addr = listener.local_addr()?;
    let app = router(nfvo.clone());
    let engine = nfvo.clone();
    let bus = nfvo.clone();
    let daemon = Daemon::spawn(addr, nfvo, |stop| async move {
        // The event streams never end by themselves: they end when the server stops.
        let stop = async move {
            stop.await;
            bus.events().close();
        };
        match tls {
            Some(tls) => serve_https(listener, app, tls, stop).await,
            None => serve_http(listener, app, stop).await,
        }
    });
    Ok(daemon.with_drain(move |left| async move { engine.drain(left).await }))
}

async fn not_found() -> ApiError {
    Problem::new(StatusCode::NOT_FOUND, "not-found", "not found", "no such resource").into()
}

async fn method_not_allowed() -> ApiError {
    let detail = "the resource does not take this method";
    Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "method not allowed", detail)
        .into()
}
