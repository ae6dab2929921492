use std::sync::{Arc, Mutex};

use archipel_ipam::Pool;
use async_trait::async_trait;

use super::*;
use crate::error::{chain, PopError};
use crate::model::{CreateNetwork, UpdateNetwork};
use crate::provider::{PoolProvider, ProviderError};

/// A site agent in miniature: hands out its blocks in turn, adding each to the network's pools
/// through the Pop API as the real one does; refuses when it has none left.
struct FakeProvider {
    pop: Pop,
    blocks: Mutex<Vec<Pool>>,
    calls: Mutex<Vec<String>>,
}

#[async_trait]
impl PoolProvider for FakeProvider {
    async fn grow(&self, network: &str) -> Result<Vec<Pool>, ProviderError> {
        self.calls.lock().unwrap().push(network.to_owned());
        let Some(block) = self.blocks.lock().unwrap().pop() else {
            return Err(ProviderError::Refused { status: 409, message: "reserve empty".into() });
        };
        let net = self.pop.networks(Some(&name(network))).remove(0);
        let mut pools = net.plan.pools().to_vec();
        pools.push(block);
        let update = UpdateNetwork { pools: Some(pools), mtu: None };
        self.pop.update_network(&name(network), update).await.expect("pools added");
        Ok(vec![block])
    }
}

async fn exhausted_network(blocks: &[&str]) -> (Fixture, Arc<FakeProvider>) {
    let f = Fixture::new().await;
    let pools = vec!["10.88.0.2-10.88.0.3".parse().unwrap()];
    let spec = CreateNetwork {
        name: "mgmt".into(),
        subnet: "10.88.0.0/24".parse().unwrap(),
        gateway: None,
        pools,
        mtu: None,
    };
    f.pop.create_network(spec).await.unwrap();
    let blocks = blocks.iter().map(|b| b.parse().unwrap()).collect();
    let provider = Arc::new(FakeProvider {
        pop: f.pop.clone(),
        blocks: Mutex::new(blocks),
        calls: Mutex::new(Vec::new()),
    });
    f.pop.set_pool_provider(provider.clone());
    for n in ["a", "b"] {
        f.pop.create(on(n, &[("mgmt", None)])).await.unwrap();
    }
    (f, provider)
}

#[tokio::test]
async fn an_exhausted_network_is_refilled_once_and_the_create_succeeds() {
    let (f, provider) = exhausted_network(&["10.88.0.10-10.88.0.10"]).await;
    let c = f.pop.create(on("c", &[("mgmt", None)])).await.unwrap();
    assert_eq!(addr_of(&c, "mgmt"), "10.88.0.10");
    assert_eq!(*provider.calls.lock().unwrap(), vec!["mgmt".to_owned()]);

    let err = f.pop.create(on("d", &[("mgmt", None)])).await.unwrap_err();
    assert!(
        matches!(&err, PopError::NotRefilled { .. } if chain(&err).contains("reserve empty")),
        "{err:?}"
    );
    assert_eq!(provider.calls.lock().unwrap().len(), 2);
    assert!(f.pop.container(&name("d")).is_err(), "a failed Create leaves nothing");
}

#[tokio::test]
async fn creates_racing_on_an_exhausted_network_take_one_block() {
    let (f, provider) = exhausted_network(&["10.88.0.10-10.88.0.11"]).await;
    let (x, y) = tokio::join!(
        f.pop.create(on("x", &[("mgmt", None)])),
        f.pop.create(on("y", &[("mgmt", None)]))
    );
    let mut got = vec![addr_of(&x.unwrap(), "mgmt"), addr_of(&y.unwrap(), "mgmt")];
    got.sort();
    assert_eq!(got, vec!["10.88.0.10", "10.88.0.11"]);
    assert_eq!(provider.calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn without_a_provider_exhaustion_fails_the_create() {
    let f = Fixture::new().await;
    let spec = CreateNetwork {
        name: "tiny".into(),
        subnet: "10.89.0.0/30".parse().unwrap(),
        gateway: None,
        pools: Vec::new(),
        mtu: None,
    };
    f.pop.create_network(spec).await.unwrap();
    f.pop.create(on("a", &[("tiny", None)])).await.unwrap();
    let err = f.pop.create(on("b", &[("tiny", None)])).await.unwrap_err();
    assert!(matches!(err, PopError::PoolExhausted { .. }), "{err:?}");
}
