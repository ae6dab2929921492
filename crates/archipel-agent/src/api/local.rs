//! `/intersite-local`: for the site's own popd, with the North bearer token. popd asks here
//! for more addresses when one of its networks runs out.

use std::sync::Arc;

use archipel_ipam::grant::{PoolGrant, LOCAL_POOLS_ROUTE};
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{middleware, Json, Router};

use super::auth::{self, Secrets};
use super::error::to_the_end;
use super::ApiError;
use crate::core::Agent;

pub(super) fn router(agent: Arc<Agent>, secrets: Arc<Secrets>) -> axum::Router {
    Router::new()
        .route(LOCAL_POOLS_ROUTE, post(grow))
        .route_layer(middleware::from_fn_with_state(secrets, auth::north))
        .with_state(agent)
}

/// Grows the L2 extension holding the network; the block is in popd's network on return.
async fn grow(
    State(agent): State<Arc<Agent>>,
    Path(network): Path<String>,
) -> Result<Json<PoolGrant>, ApiError> {
    let (grower, name) = (agent.clone(), network.clone());
    let (global_id, pools) = to_the_end(async move { grower.grow_network(&name).await }).await?;
    tracing::info!(%network, service = %global_id, ?pools, "popd's network refilled");
    Ok(Json(PoolGrant { site: agent.site().to_owned(), pools }))
}
