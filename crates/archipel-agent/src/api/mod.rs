//! The agent's HTTP interfaces: North (`/intersite-vertical` and `/intersite-site`, for the NFVO
//! and the CLI, with a bearer token), Local (`/intersite-local`, for the site's popd, with the
//! same token) and East-West (`/intersite-horizontal`, for the other agents: each call comes
//! from a [`Caller`], a peer site the transport established).

mod auth;
mod east_west;
mod error;
mod local;
mod metrics;
mod north;

use std::sync::Arc;

use archipel_daemon::tls::{serve_https, ServerConfig};
use archipel_daemon::{serve_http, Daemon};
use axum::extract::DefaultBodyLimit;
use axum::Router;

use crate::core::Agent;

pub use auth::{Caller, Secrets};
pub use error::ApiError;

/// The largest body accepted on North and Local: a request names a service and a few sites
/// (East-West takes more, a view with every site's pools).
const BODY_LIMIT: usize = 16 * 1024;

/// Both interfaces, each behind its own secret; every error, the framework's refusals
/// included, answered as problem details.
pub fn router(agent: Arc<Agent>, secrets: Secrets) -> Router {
    let secrets = Arc::new(secrets);
    Router::new()
        .merge(north::router(agent.clone(), secrets.clone()))
        .merge(local::router(agent.clone(), secrets.clone()))
        .merge(metrics::router(agent.clone(), secrets.clone()))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .merge(east_west::router(agent, secrets))
        .layer(axum::middleware::from_fn(archipel_daemon::problem::everywhere))
}

/// A running agent: the daemon kit's handle over its logic core.
pub type AgentHandle = Daemon<Arc<Agent>, std::io::Error>;

/// Serves both interfaces on `listener` until the handle is shut down, then lets the calls in
/// flight finish.
pub fn start(
    listener: tokio::net::TcpListener,
    agent: Arc<Agent>,
    secrets: Secrets,
) -> std::io::Result<AgentHandle> {
    start_with(listener, agent, secrets, None)
}

/// As [`start`], over TLS when `tls` is given (every request then carries the caller's
/// [`archipel_daemon::tls::PeerNames`]).
pub fn start_with(
    listener: tokio::net::TcpListener,
    agent: Arc<Agent>,
    secrets: Secrets,
    tls: Option<Arc<ServerConfig>>,
) -> std::io::Result<AgentHandle> {
    let addr = listener.local_addr()?;
    let app = router(agent.clone(), secrets);
    Ok(Daemon::spawn(addr, agent, |stop| async move {
        match tls {
            Some(tls) => serve_https(listener, app, tls, stop).await,
            None => serve_http(listener, app, stop).await,
        }
    }))
}
