//! `/metrics`: the agent's Prometheus series, with the North bearer token like every North
//! call: the inter-site services by type, and the traffic of each service's tunnel at this
//! site (the kernel's counters of its VXLAN device).

use std::sync::Arc;

use archipel_daemon::metrics::{self, Counter, Counters, Gauges, Registry};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{middleware, Router};

use super::auth::{self, Secrets};
use super::ApiError;
use crate::core::Agent;
use crate::model::ServiceType;

#[derive(Debug)]
struct AgentMetrics {
    registry: Registry,
    services: Gauges,
    bytes: Counters,
    packets: Counters,
}

impl AgentMetrics {
    fn new() -> Self {
        let mut registry = Registry::default();
        let services = Gauges::default();
        registry.register(
            "archipel_agent_services",
            "Inter-site services this site takes part in, by type",
            services.clone(),
        );
        let bytes = Counters::default();
        registry.register(
            "archipel_agent_tunnel_bytes",
            "Bytes through each service's tunnel at this site, by direction",
            bytes.clone(),
        );
        let packets = Counters::default();
        registry.register(
            "archipel_agent_tunnel_packets",
            "Packets through each service's tunnel at this site, by direction",
            packets.clone(),
        );
        Self { registry, services, bytes, packets }
    }
}

type Shared = State<(Arc<Agent>, Arc<AgentMetrics>)>;

pub(super) fn router(agent: Arc<Agent>, secrets: Arc<Secrets>) -> Router {
    Router::new()
        .route("/metrics", get(serve))
        .route_layer(middleware::from_fn_with_state(secrets, auth::north))
        .with_state((agent, Arc::new(AgentMetrics::new())))
}

async fn serve(State((agent, m)): Shared) -> Result<Response, ApiError> {
    let services = agent.list()?;
    let traffic = agent.traffic(&services).await?;
    for kind in [ServiceType::L2, ServiceType::L3] {
        let n = services.iter().filter(|s| s.kind == kind).count();
        let labels = vec![("type", kind.to_string())];
        m.services.get_or_create(&labels).set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    // The kernel keeps the totals: the counters take its values, and a removed service's go.
    m.bytes.clear();
    m.packets.clear();
    for t in traffic {
        let series = |direction: &str| {
            vec![
                ("service", t.global_id.clone()),
                ("type", t.kind.to_string()),
                ("device", t.device.clone()),
                ("direction", direction.to_owned()),
            ]
        };
        let set = |family: &Counters, direction: &str, value: u64| {
            let counter: Counter = family.get_or_create_owned(&series(direction));
            counter.inner().store(value, std::sync::atomic::Ordering::Relaxed);
        };
        set(&m.bytes, "rx", t.stats.rx_bytes);
        set(&m.bytes, "tx", t.stats.tx_bytes);
        set(&m.packets, "rx", t.stats.rx_packets);
        set(&m.packets, "tx", t.stats.tx_packets);
    }
    Ok(metrics::response(&m.registry))
}
