//! `/intersite-vertical`: the North interface (Table II), for the NFVO and the CLI; and
//! `/intersite-site`, what the NFVO needs to know of the site before it makes networks there.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};

use super::auth::{self, Secrets};
use super::error::to_the_end;
use super::ApiError;
use crate::core::Agent;
use crate::model::{
    CreateRequest, KeyOffer, PoolGrant, Service, SiteInfo, UpdateReply, UpdateRequest,
};

type Shared = State<Arc<Agent>>;

pub(super) fn router(agent: Arc<Agent>, secrets: Arc<Secrets>) -> axum::Router {
    Router::new()
        .route("/intersite-vertical", get(list).post(create))
        .route("/intersite-vertical/{global_id}", get(show).put(update).delete(remove))
        .route("/intersite-vertical/{global_id}/pools", post(grow))
        .route("/intersite-site", get(site_info))
        .route("/intersite-site/wireguard/rotate", post(rotate_key))
        .route_layer(middleware::from_fn_with_state(secrets, auth::north))
        .with_state(agent)
}

async fn list(State(agent): Shared) -> Result<Json<Vec<Service>>, ApiError> {
    Ok(Json(agent.list()?))
}

async fn create(
    State(agent): Shared,
    Json(req): Json<CreateRequest>,
) -> Result<(StatusCode, Json<Service>), ApiError> {
    let service = to_the_end(async move { agent.create(req).await }).await?;
    Ok((StatusCode::CREATED, Json(service)))
}

async fn show(State(agent): Shared, Path(id): Path<String>) -> Result<Json<Service>, ApiError> {
    Ok(Json(agent.get(&id)?))
}

/// 200 with `{"service": …, "pending": []}` when every site has the change; 202 when some
/// could not be reached yet (the master takes it to them when they answer again).
async fn update(
    State(agent): Shared,
    Path(id): Path<String>,
    Json(req): Json<UpdateRequest>,
) -> Result<(StatusCode, Json<UpdateReply>), ApiError> {
    let reply = to_the_end(async move { agent.update(&id, req).await }).await?;
    let status = if reply.pending.is_empty() { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(reply)))
}

/// 204 when every site has left; 202 with `{"pending": [SITE…]}` when some could not be
/// reached yet (the master has them leave when they answer again).
async fn remove(State(agent): Shared, Path(id): Path<String>) -> Result<Response, ApiError> {
    let reply = to_the_end(async move { agent.delete(&id).await }).await?;
    if reply.pending.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok((StatusCode::ACCEPTED, Json(reply)).into_response())
}

async fn grow(State(agent): Shared, Path(id): Path<String>) -> Result<Json<PoolGrant>, ApiError> {
    let site = agent.site().to_owned();
    let pools = to_the_end(async move { agent.grow(&id).await }).await?;
    Ok(Json(PoolGrant { site, pools }))
}

async fn site_info(State(agent): Shared) -> Result<Json<SiteInfo>, ApiError> {
    Ok(Json(agent.site_info().await?))
}

/// A new WireGuard key pair for the site; answers its public key and port.
async fn rotate_key(State(agent): Shared) -> Result<Json<KeyOffer>, ApiError> {
    Ok(Json(to_the_end(async move { agent.rotate_key().await }).await?))
}
