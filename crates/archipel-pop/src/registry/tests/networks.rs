use super::*;
use crate::error::{chain, PopError};
use crate::model::{CreateNetwork, UpdateNetwork};
use crate::runtime::fake::Call;

fn net(name: &str, cidr: &str) -> CreateNetwork {
    CreateNetwork {
        name: name.into(),
        subnet: cidr.parse().unwrap(),
        gateway: None,
        pools: vec![],
        mtu: Some(1400),
    }
}

#[tokio::test]
async fn default_network_is_ensured_once() {
    let f = Fixture::new().await;
    let nets = f.pop.networks(None);
    assert_eq!(nets.len(), 1);
    let private = &nets[0];
    assert_eq!((private.name.as_str(), private.managed), ("private", false));
    assert_eq!(private.plan.cidr().to_string(), "10.77.0.0/16");
    assert!(private.attachment.bridge.starts_with("br-"));
    let again = f.restart().await;
    assert_eq!(again.networks(None), nets, "same id after a restart");
}

#[tokio::test]
async fn create_network_and_its_refusals() {
    let f = Fixture::new().await;
    let n = f.pop.create_network(net("mgmt", "10.88.0.0/24")).await.unwrap();
    assert!(n.managed);
    assert_eq!(n.mtu, Some(1400));
    assert_eq!(n.runtime_id, "fakenet-mgmt");
    assert!(f.rt.networks().iter().any(|s| s.name == "mgmt" && s.mtu == Some(1400)));
    assert_eq!(f.store.networks().unwrap().len(), 2);
    let err = |r: Result<_, PopError>| r.unwrap_err();
    let dup = f.pop.create_network(net("mgmt", "10.89.0.0/24")).await;
    assert!(matches!(err(dup), PopError::NetworkExists { .. }));
    let overlap = f.pop.create_network(net("other", "10.88.0.128/25")).await;
    assert!(
        matches!(err(overlap), e @ PopError::SubnetOverlap { .. } if e.to_string().contains("mgmt"))
    );
    let bad_gw =
        CreateNetwork { gateway: Some("10.90.1.1".parse().unwrap()), ..net("x", "10.90.0.0/24") };
    assert!(
        matches!(err(f.pop.create_network(bad_gw).await), e @ PopError::InvalidSubnetPlan { .. } if chain(&e).contains("10.90.1.1"))
    );
    let bad_mtu = CreateNetwork { mtu: Some(10), ..net("x", "10.90.0.0/24") };
    assert!(matches!(err(f.pop.create_network(bad_mtu).await), PopError::MtuOutOfRange { .. }));
    f.rt.fail_networks(Some("bridge exists"));
    let failing = f.pop.create_network(net("x", "10.90.0.0/24")).await;
    assert!(matches!(err(failing), PopError::Runtime(_)));
    f.rt.fail_networks(None);
    assert_eq!(f.pop.networks(None).len(), 2, "a runtime failure records nothing");
    assert_eq!(f.store.networks().unwrap().len(), 2);
}

#[tokio::test]
async fn update_pools_and_mtu() {
    let f = Fixture::new().await;
    f.pop.create_network(net("mgmt", "10.88.0.0/24")).await.unwrap();
    f.pop.create(on("a", &[("mgmt", Some("10.88.0.100"))])).await.unwrap();
    let outside =
        UpdateNetwork { pools: Some(vec!["10.88.0.2-10.88.0.50".parse().unwrap()]), mtu: None };
    let err = f.pop.update_network(&name("mgmt"), outside).await.unwrap_err();
    assert!(
        matches!(&err, PopError::InUseOutsidePools { .. } if err.to_string().contains("10.88.0.100"))
    );
    let inside = UpdateNetwork {
        pools: Some(vec!["10.88.0.90-10.88.0.110".parse().unwrap()]),
        mtu: Some(1300),
    };
    f.rt.clear_calls();
    let updated = f.pop.update_network(&name("mgmt"), inside).await.unwrap();
    assert_eq!(updated.plan.pools().len(), 1);
    assert_eq!(updated.mtu, Some(1300));
    assert_eq!(f.rt.calls(), vec![Call::UpdateNetwork("mgmt".into())]);
    assert_eq!(f.store.networks().unwrap().iter().find(|n| n.name == "mgmt"), Some(&updated));
    let c = f.pop.create(on("b", &[("mgmt", None)])).await.unwrap();
    assert_eq!(addr_of(&c, "mgmt"), "10.88.0.90");
    let missing = f.pop.update_network(&name("nope"), UpdateNetwork::default()).await.unwrap_err();
    assert!(matches!(missing, PopError::NetworkNotFound { .. }));
}

#[tokio::test]
async fn delete_network_only_when_free() {
    let f = Fixture::new().await;
    f.pop.create_network(net("mgmt", "10.88.0.0/24")).await.unwrap();
    f.pop.create(on("a", &[("mgmt", None)])).await.unwrap();
    let busy = f.pop.delete_network(&name("mgmt")).await.unwrap_err();
    assert!(
        matches!(&busy, PopError::NetworkInUse { .. } if busy.to_string().contains("containers a"))
    );
    f.pop.delete(&name("a"), None).await.unwrap();
    f.pop.delete_network(&name("mgmt")).await.unwrap();
    assert!(f.rt.calls().contains(&Call::RemoveNetwork("mgmt".into())));
    assert_eq!(f.pop.networks(None).len(), 1);
    assert_eq!(f.store.networks().unwrap().len(), 1);
    let gone = f.pop.create(on("b", &[("mgmt", None)])).await.unwrap_err();
    assert!(matches!(gone, PopError::UnknownNetwork { .. }));
}

#[tokio::test]
async fn the_default_network_can_go_and_comes_back_at_the_next_start() {
    let f = Fixture::new().await;
    f.pop.create(plain("a")).await.unwrap();
    let busy = f.pop.delete_network(&name("private")).await.unwrap_err();
    assert!(matches!(busy, PopError::NetworkInUse { .. }));
    f.pop.delete(&name("a"), None).await.unwrap();
    f.pop.delete_network(&name("private")).await.unwrap();
    assert!(f.rt.networks().is_empty());
    let homeless = f.pop.create(plain("b")).await.unwrap_err();
    assert!(
        matches!(&homeless, PopError::UnknownNetwork { .. } if homeless.to_string().contains("private"))
    );
    let again = f.restart().await;
    assert_eq!(again.networks(None).len(), 1);
    again.create(plain("b")).await.unwrap();
}
