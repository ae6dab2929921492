//! The NFVO's Prometheus series, served at `/metrics` (role reader, like every read).

use std::time::Duration;

use archipel_daemon::metrics::{self, Counter, Counters, Gauges, Histograms, Registry};

use crate::model::{LcmOperation, OperationState, Status};

/// The series; cheap to update from anywhere in the engine.
#[derive(Debug)]
pub struct NfvoMetrics {
    registry: Registry,
    operations: Counters,
    durations: Histograms,
    instances: Gauges,
    logins_failed: Counter,
    heals: Counter,
}

impl Default for NfvoMetrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let operations = Counters::default();
        registry.register(
            "archipel_nfvo_operations",
            "Lifecycle operations ended, by type and outcome (the operation state)",
            operations.clone(),
        );
        let durations = metrics::histograms();
        registry.register(
            "archipel_nfvo_operation_seconds",
            "How long lifecycle operations ran, by type and outcome",
            durations.clone(),
        );
        let instances = Gauges::default();
        registry.register(
            "archipel_nfvo_ns_instances",
            "Network-service instances by status",
            instances.clone(),
        );
        let logins_failed = Counter::default();
        metrics::register_logins_failed(&mut registry, logins_failed.clone());
        let heals = Counter::default();
        registry.register("archipel_nfvo_heals", "VNFCs healed", heals.clone());
        Self { registry, operations, durations, instances, logins_failed, heals }
    }
}

impl NfvoMetrics {
    /// An operation ended in `state` after running `ran` (None: it could not even start).
    pub fn operation_ended(
        &self,
        kind: LcmOperation,
        state: OperationState,
        ran: Option<Duration>,
    ) {
        let labels =
            vec![("type", kind.as_str().to_owned()), ("outcome", state.as_str().to_owned())];
        self.operations.get_or_create(&labels).inc();
        if let Some(ran) = ran {
            metrics::observe(&self.durations, labels, ran);
        }
    }

    pub fn login_failed(&self) {
        self.logins_failed.inc();
    }

    /// A VNFC was healed.
    pub fn healed(&self) {
        self.heals.inc();
    }

    /// The series as text, with the instances counted from `statuses` now.
    pub fn render(&self, statuses: impl IntoIterator<Item = Status>) -> axum::response::Response {
        self.instances.clear();
        for status in statuses {
            self.instances.get_or_create(&vec![("status", status.as_str().to_owned())]).inc();
        }
        metrics::response(&self.registry)
    }
}
