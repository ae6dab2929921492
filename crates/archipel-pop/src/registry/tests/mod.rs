//! Lifecycle tests of the core over the recording fake runtime.

mod images;
mod ipam;
mod lifecycle;
mod networks;
mod refill;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use super::{Pop, PopSettings};
use crate::model::{CreateContainer, EndpointRequest, Selector};
use crate::runtime::fake::FakeRuntime;
use crate::store::Store;

pub(crate) struct Fixture {
    pub pop: Pop,
    pub rt: Arc<FakeRuntime>,
    pub store: Arc<Store>,
}

pub(crate) fn settings() -> PopSettings {
    PopSettings {
        name: "test-pop".into(),
        default_network: "private".into(),
        default_subnet: "10.77.0.0/16".parse().unwrap(),
        stop_timeout: Duration::from_secs(5),
        flavours: Vec::new(),
    }
}

impl Fixture {
    pub async fn new() -> Self {
        Self::with_runtime(Arc::new(FakeRuntime::new())).await
    }

    pub async fn with_runtime(rt: Arc<FakeRuntime>) -> Self {
        let store = Arc::new(Store::in_memory().unwrap());
        let pop = Pop::open(store.clone(), rt.clone(), settings()).await.unwrap();
        Self { pop, rt, store }
    }

    /// A popd restarted over the same store and runtime.
    pub async fn restart(&self) -> Pop {
        Pop::open(self.store.clone(), self.rt.clone(), settings()).await.unwrap()
    }
}

pub(crate) fn name(n: &str) -> Selector {
    Selector::Name(n.into())
}

pub(crate) fn plain(n: &str) -> CreateContainer {
    CreateContainer {
        name: n.into(),
        image: "alpine:latest".into(),
        flavour: String::new(),
        endpoints: vec![],
    }
}

pub(crate) fn on(n: &str, endpoints: &[(&str, Option<&str>)]) -> CreateContainer {
    CreateContainer {
        endpoints: endpoints
            .iter()
            .map(|(net, a)| EndpointRequest {
                network: net.to_string(),
                address: a.map(|a| a.parse().unwrap()),
            })
            .collect(),
        ..plain(n)
    }
}

pub(crate) fn addr_of(c: &crate::model::PopContainer, net: &str) -> String {
    c.endpoints[net].address.to_string()
}
