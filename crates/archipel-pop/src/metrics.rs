//! popd's Prometheus series, served on their own HTTP address (`--metrics-listen`), since the
//! Pop protocol is gRPC: containers by state, call latencies by method, refused logins.
//!
//! The address is loopback unless the operator says otherwise (the CLI refuses another one
//! without `--metrics-non-loopback`): the series carry no secret, and a scraper on the host (or
//! a tunnel to it) needs no credential, where a token would be one more secret on every site.

use archipel_daemon::metrics::{self, Counter, Gauges, Histograms, Registry};
use axum::routing::get;
use tokio::net::TcpListener;

use crate::model::ContainerState;
use crate::registry::Pop;

/// The series.
#[derive(Debug)]
pub struct PopMetrics {
    registry: Registry,
    /// Call latencies by method, filled by the gRPC edge.
    pub rpc: Histograms,
    containers: Gauges,
}

impl PopMetrics {
    /// The series, counting refused logins with `logins_failed` (the [`crate::auth::Auth`]'s).
    pub fn new(logins_failed: Counter) -> Self {
        let mut registry = Registry::default();
        let rpc = metrics::histograms();
        registry.register("archipel_pop_rpc_seconds", "Pop call latencies by method", rpc.clone());
        let containers = Gauges::default();
        registry.register("archipel_pop_containers", "Containers by state", containers.clone());
        metrics::register_logins_failed(&mut registry, logins_failed);
        Self { registry, rpc, containers }
    }

    /// The series as text, with the containers of `pop` counted now.
    fn render(&self, pop: &Pop) -> axum::response::Response {
        let states = [
            ContainerState::Created,
            ContainerState::Running,
            ContainerState::Stopping,
            ContainerState::Exited,
            ContainerState::Failed,
        ];
        let containers = pop.containers(None);
        for state in states {
            let n = containers.iter().filter(|c| c.state == state).count();
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            self.containers.get_or_create(&vec![("state", state.as_str().to_owned())]).set(n);
        }
        metrics::response(&self.registry)
    }
}

/// Serves `/metrics` on `listener` until `stop` completes.
pub async fn serve(
    listener: TcpListener,
    metrics: std::sync::Arc<PopMetrics>,
    pop: Pop,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        get(move || {
            let (metrics, pop) = (metrics.clone(), pop.clone());
            async move { metrics.render(&pop) }
        }),
    );
    archipel_daemon::serve_http(listener, app, stop).await
}
