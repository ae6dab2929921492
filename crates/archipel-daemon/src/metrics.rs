//! Prometheus metrics (feature `metrics`), on `prometheus-client`: the registry each daemon
//! fills with its series, the text encoding (OpenMetrics, which Prometheus reads) and the
//! `/metrics` answer. Each daemon decides who may read it (its authentication, or popd's
//! separate listener).

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub use prometheus_client::metrics::counter::Counter;
pub use prometheus_client::metrics::family::Family;
pub use prometheus_client::metrics::gauge::Gauge;
pub use prometheus_client::metrics::histogram::Histogram;
pub use prometheus_client::registry::Registry;

use crate::problem::Problem;

/// The labels of a series: name and value pairs.
pub type Labels = Vec<(&'static str, String)>;

/// The content type of the answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A family of counters by label.
pub type Counters = Family<Labels, Counter>;
/// A family of gauges by label.
pub type Gauges = Family<Labels, Gauge>;
/// A family of histograms by label, all with [`seconds_buckets`].
pub type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// Buckets for durations from a millisecond to about half a minute, in seconds.
pub fn seconds_buckets() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.001, 2.0, 16))
}

/// A family of duration histograms.
pub fn histograms() -> Histograms {
    Family::new_with_constructor(seconds_buckets)
}

/// Observes `elapsed` in seconds on the series of `labels`.
pub fn observe(histograms: &Histograms, labels: Labels, elapsed: Duration) {
    histograms.get_or_create(&labels).observe(elapsed.as_secs_f64());
}

/// Registers `counter` as the refused logins, under the one name every daemon with logins
/// uses.
pub fn register_logins_failed(registry: &mut Registry, counter: Counter) {
    registry.register("archipel_logins_failed", "Logins refused (wrong user or password)", counter);
}

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot encode the metrics")]
    Encode(#[source] std::fmt::Error),
}

/// The registry in the text format.
pub fn encode(registry: &Registry) -> Result<String, MetricsError> {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, registry).map_err(MetricsError::Encode)?;
    Ok(text)
}

/// The `/metrics` answer: the registry in the text format, or problem details.
pub fn response(registry: &Registry) -> Response {
    match encode(registry) {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(err) => {
            let detail = crate::chain(&err);
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "metrics", "metrics failed", detail)
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_encode_with_their_labels() {
        let mut registry = Registry::default();
        let failed = Counter::default();
        register_logins_failed(&mut registry, failed.clone());
        let ops = Counters::default();
        registry.register("ops", "Operations", ops.clone());
        let times = histograms();
        registry.register("op_seconds", "Durations", times.clone());
        failed.inc();
        ops.get_or_create(&vec![("type", "SCALE".to_owned())]).inc();
        observe(&times, vec![("type", "SCALE".to_owned())], Duration::from_millis(3));
        let text = encode(&registry).unwrap();
        assert!(text.contains("archipel_logins_failed_total 1\n"), "{text}");
        assert!(text.contains("ops_total{type=\"SCALE\"} 1\n"), "{text}");
        assert!(text.contains("op_seconds_count{type=\"SCALE\"} 1\n"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
