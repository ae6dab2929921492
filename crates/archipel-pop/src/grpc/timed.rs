//! Times every Pop call for the latency histograms (`archipel_pop_rpc_seconds`, by method):
//! from the request's arrival to its response's headers (for Watch, until the stream opens).

use std::time::Instant;

use archipel_daemon::metrics::{observe, Histograms};
use tonic::codegen::http;

use super::around::{Around, Wrapped};

/// The Pop protocol's methods: any other path is counted as `other`, so that a caller cannot
/// make new series.
const METHODS: &[&str] = &[
    "Containers",
    "Flavours",
    "Images",
    "Networks",
    "Create",
    "Delete",
    "Metadata",
    "Start",
    "Stop",
    "Login",
    "Logout",
    "Info",
    "CreateNetwork",
    "UpdateNetwork",
    "DeleteNetwork",
    "Watch",
    "Logs",
    "ImportImage",
];

/// A gRPC service whose calls are timed.
pub type Timed<S> = Wrapped<S, Timer>;

/// Observes each call's duration on the histograms, by method.
#[derive(Debug, Clone)]
pub struct Timer(pub Histograms);

impl Around for Timer {
    type Mark = (&'static str, Instant);

    fn begin(&self, path: &str) -> Self::Mark {
        (method(path), Instant::now())
    }

    fn end<R>(&self, (method, began): Self::Mark, _response: &mut http::Response<R>) {
        observe(&self.0, vec![("method", method.to_owned())], began.elapsed());
    }
}

/// The method of a gRPC path (`/archipel.pop.v1.Pop/Create`), or `other`.
fn method(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    METHODS.iter().find(|m| **m == name).copied().unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::method;

    #[test]
    fn only_the_protocols_methods_are_labels() {
        assert_eq!(method("/archipel.pop.v1.Pop/Create"), "Create");
        assert_eq!(method("/archipel.pop.v1.Pop/Nonsense"), "other");
        assert_eq!(method("/"), "other");
    }
}
