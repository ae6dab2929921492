use std::collections::HashSet;

use super::*;
use crate::error::PopError;
use crate::model::CreateNetwork;

async fn network(f: &Fixture, name: &str, cidr: &str, pools: &[&str]) {
    f.pop
        .create_network(CreateNetwork {
            name: name.into(),
            subnet: cidr.parse().unwrap(),
            gateway: None,
            pools: pools.iter().map(|p| p.parse().unwrap()).collect(),
            mtu: None,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn wanted_addresses() {
    let f = Fixture::new().await;
    let c = f.pop.create(on("a", &[("private", Some("10.77.3.4"))])).await.unwrap();
    assert_eq!(addr_of(&c, "private"), "10.77.3.4");
    let taken = f.pop.create(on("b", &[("private", Some("10.77.3.4"))])).await.unwrap_err();
    assert!(
        matches!(&taken, PopError::AddressTaken { .. } if taken.to_string().contains("10.77.3.4"))
    );
    for bad in ["10.78.0.9", "10.77.0.1", "10.77.255.255", "10.77.0.0"] {
        let err = f.pop.create(on("b", &[("private", Some(bad))])).await.unwrap_err();
        assert!(matches!(err, PopError::AddressUnusable { .. }), "{bad}: {err:?}");
    }
}

#[tokio::test]
async fn all_or_nothing_across_endpoints() {
    let f = Fixture::new().await;
    network(&f, "mgmt", "10.88.0.0/24", &[]).await;
    f.pop.create(on("holder", &[("mgmt", Some("10.88.0.5"))])).await.unwrap();
    let err = f
        .pop
        .create(on("two", &[("private", None), ("mgmt", Some("10.88.0.5"))]))
        .await
        .unwrap_err();
    assert!(matches!(err, PopError::AddressTaken { .. }));
    assert!(f.pop.containers(Some(&name("two"))).is_empty());
    assert_eq!(f.store.allocations().unwrap().len(), 1);
    // The first endpoint's address was given back.
    let next = f.pop.create(on("next", &[("private", None), ("mgmt", None)])).await.unwrap();
    assert_eq!(addr_of(&next, "private"), "10.77.0.2");
    assert_eq!(addr_of(&next, "mgmt"), "10.88.0.2");
    let twice = f.pop.create(on("dup", &[("mgmt", None), ("mgmt", None)])).await.unwrap_err();
    assert!(matches!(twice, PopError::NetworkTwice { .. }));
}

#[tokio::test]
async fn exhausted_pool() {
    let f = Fixture::new().await;
    network(&f, "tiny", "10.99.0.0/24", &["10.99.0.10-10.99.0.11"]).await;
    for n in ["a", "b"] {
        f.pop.create(on(n, &[("tiny", None)])).await.unwrap();
    }
    let err = f.pop.create(on("c", &[("tiny", None)])).await.unwrap_err();
    assert!(
        matches!(&err, PopError::PoolExhausted { .. } if err.to_string().contains("pool exhausted")),
        "{err:?}"
    );
    // A pinned address outside the pools is still possible.
    f.pop.create(on("d", &[("tiny", Some("10.99.0.50"))])).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_get_distinct_addresses() {
    let f = Fixture::new().await;
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let pop = f.pop.clone();
            tokio::spawn(async move { pop.create(plain(&format!("c{i}"))).await })
        })
        .collect();
    let mut seen = HashSet::new();
    for t in tasks {
        let c = t.await.unwrap().unwrap();
        assert!(seen.insert(c.endpoints["private"].address), "address handed out twice");
    }
    assert_eq!(seen.len(), 500);
    assert_eq!(f.store.allocations().unwrap().len(), 500);
}

#[tokio::test]
async fn foreign_addresses_are_reserved_at_start() {
    let rt = std::sync::Arc::new(FakeRuntime::new());
    rt.set_in_use("private", vec!["10.77.0.2".parse().unwrap(), "10.77.0.3".parse().unwrap()]);
    let f = Fixture::with_runtime(rt).await;
    let c = f.pop.create(plain("a")).await.unwrap();
    assert_eq!(addr_of(&c, "private"), "10.77.0.4");
}
