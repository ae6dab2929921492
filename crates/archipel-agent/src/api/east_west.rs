//! `/intersite-horizontal`: the East-West interface (Table II), between agents.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{middleware, Extension, Json, Router};
use ipnet::Ipv4Net;
use serde::Deserialize;

use super::auth::{self, Caller, Peering, Secrets};
use super::error::to_the_end;
use super::ApiError;
use crate::core::Agent;
use crate::error::AgentError;
use crate::model::{
    CidrInfo, FreeReply, JoinRequest, KeyOffer, PoolGrant, Revisions, RevisionsReply, Service,
    VniReservation,
};

type Shared = State<Arc<Agent>>;

const BASE: &str = "/intersite-horizontal";

/// The largest body accepted: a service's view with its pools for every site is a few KiB.
const BODY_LIMIT: usize = 64 * 1024;

pub(super) fn router(agent: Arc<Agent>, secrets: Arc<Secrets>) -> axum::Router {
    let peering = Arc::new(Peering {
        peers: agent.peers().cloned().collect(),
        keys: secrets.peer_keys.clone(),
    });
    Router::new()
        .route(BASE, post(join))
        .route(&format!("{BASE}/networks/{{name}}/cidr"), get(cidr))
        .route(&format!("{BASE}/cidr-free"), get(cidr_free))
        .route(&format!("{BASE}/vni-free"), get(vni_free))
        .route(&format!("{BASE}/wireguard"), put(exchange_keys))
        .route(&format!("{BASE}/vni-reservations"), post(reserve_vni))
        .route(&format!("{BASE}/vni-reservations/{{vni}}"), delete(release_vni))
        .route(&format!("{BASE}/revisions"), post(revisions))
        .route(&format!("{BASE}/{{global_id}}"), get(show).put(sync).delete(leave))
        .route(&format!("{BASE}/{{global_id}}/pools"), post(grant))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route_layer(middleware::from_fn_with_state(peering, auth::east_west))
        .with_state(agent)
}

type From = Extension<Caller>;

async fn join(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Json(req): Json<JoinRequest>,
) -> Result<StatusCode, ApiError> {
    to_the_end(async move { agent.join(&caller, req.service).await }).await?;
    Ok(StatusCode::CREATED)
}

async fn revisions(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Json(req): Json<Revisions>,
) -> Result<Json<RevisionsReply>, ApiError> {
    Ok(Json(agent.revisions(&caller, &req)?))
}

async fn show(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Path(id): Path<String>,
) -> Result<Json<Service>, ApiError> {
    Ok(Json(agent.show(&caller, &id)?))
}

async fn sync(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Path(id): Path<String>,
    Json(service): Json<Service>,
) -> Result<StatusCode, ApiError> {
    if service.global_id != id {
        return Err(AgentError::IdMismatch { body: service.global_id, path: id }.into());
    }
    to_the_end(async move { agent.sync(&caller, service).await }).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn leave(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    to_the_end(async move { agent.leave(&caller, &id).await }).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn cidr(State(agent): Shared, Path(name): Path<String>) -> Result<Json<CidrInfo>, ApiError> {
    Ok(Json(agent.cidr_of(&name).await?))
}

#[derive(Debug, Deserialize)]
struct CidrQuery {
    cidr: Ipv4Net,
}

async fn cidr_free(
    State(agent): Shared,
    Query(q): Query<CidrQuery>,
) -> Result<Json<FreeReply>, ApiError> {
    Ok(Json(agent.cidr_free(q.cidr).await?))
}

#[derive(Debug, Deserialize)]
struct VniQuery {
    vni: u32,
}

async fn vni_free(
    State(agent): Shared,
    Query(q): Query<VniQuery>,
) -> Result<Json<FreeReply>, ApiError> {
    Ok(Json(agent.vni_free(q.vni)?))
}

/// 200 either way: `free` says whether the VNI is now held for the service.
async fn reserve_vni(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Json(req): Json<VniReservation>,
) -> Result<Json<FreeReply>, ApiError> {
    Ok(Json(agent.reserve_vni(&caller, req.vni, &req.global_id)?))
}

#[derive(Debug, Deserialize)]
struct ReleaseQuery {
    global_id: String,
}

async fn release_vni(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Path(vni): Path<u32>,
    Query(q): Query<ReleaseQuery>,
) -> Result<StatusCode, ApiError> {
    agent.release_vni(&caller, vni, &q.global_id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn grant(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Path(id): Path<String>,
    Json(req): Json<PoolGrant>,
) -> Result<Json<PoolGrant>, ApiError> {
    let site = req.site.clone();
    let pools = to_the_end(async move { agent.grant_pools(&caller, &id, &req.site).await }).await?;
    Ok(Json(PoolGrant { site, pools }))
}

/// A peer's WireGuard key and port for this site's (the body limit bounds it; the key must be
/// 32 bytes in base64).
async fn exchange_keys(
    State(agent): Shared,
    Extension(Caller(caller)): From,
    Json(offer): Json<KeyOffer>,
) -> Result<Json<KeyOffer>, ApiError> {
    Ok(Json(to_the_end(async move { agent.accept_key(&caller, offer).await }).await?))
}
