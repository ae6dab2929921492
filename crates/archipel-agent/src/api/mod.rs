//! The agent's HTTP interfaces: North (`/intersite-vertical` and `/intersite-site`, for the NFVO
//! and the CLI, with a bearer token), Local (`/intersite-local`, for the site's popd, with the
//! same token) and East-West (`/intersite-horizontal`, for the other agents, with the shared
//! key in `x-archipel-key`).

mod auth;
mod east_west;
mod error;
mod local;
mod north;

use std::sync::Arc;

use axum::Router;

use crate::core::Agent;

pub use auth::Secrets;
pub use error::ApiError;

/// Both interfaces, each behind its own secret.
pub fn router(agent: Arc<Agent>, secrets: Secrets) -> Router {
    let secrets = Arc::new(secrets);
    Router::new()
        .merge(north::router(agent.clone(), secrets.clone()))
        .merge(local::router(agent.clone(), secrets.clone()))
        .merge(east_west::router(agent, secrets))
}

/// Serves both interfaces on `listener` until `shutdown` completes, then lets the calls in
/// flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    agent: Arc<Agent>,
    secrets: Secrets,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // No Nagle: a response written in pieces would wait for the peer's delayed ACK.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, router(agent, secrets)).with_graceful_shutdown(shutdown).await
}
