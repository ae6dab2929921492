//! Virtual links that span sites: one subnet, an L2 extension from the site holding most of the
//! link's instances, following scale and terminate, and undone on failure.

use super::{Setup, SIPP, TIERS};
use crate::ids;
use crate::model::{OperationState, Step};
use crate::vim::FakeCall;

fn extends(setup: &Setup) -> Vec<FakeCall> {
    let calls = setup.fake.calls();
    calls.into_iter().filter(|c| matches!(c, FakeCall::Extend { .. })).collect()
}

#[tokio::test]
async fn a_split_service_shares_one_subnet_through_one_extension() {
    let setup = Setup::new(&["a", "b"]).await;
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[("sipp-server", "a"), ("sipp-client", "b")]).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
    let net = format!("private-{}", ids::short(&nsr.id));
    assert_eq!(setup.fake.networks("a"), vec![net.clone()]);
    assert_eq!(setup.fake.networks("b"), vec![net.clone()]);
    assert_eq!(nsr.networks.len(), 2);
    assert_eq!(nsr.networks[0].subnet, nsr.networks[1].subnet);
    assert_eq!(nsr.extensions.len(), 1, "{nsr:?}");
    let extension = &nsr.extensions[0];
    assert_eq!(extension.sites, vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(setup.fake.extensions().len(), 1);

    let server = &nsr.vnfr("sipp-server").unwrap().vnfcs[0];
    let client = &nsr.vnfr("sipp-client").unwrap().vnfcs[0];
    assert_eq!((server.site.as_str(), client.site.as_str()), ("a", "b"));
    assert_ne!(server.addresses["private"], client.addresses["private"]);
    let env = setup.fake.container("b", &client.name).unwrap().env.unwrap();
    assert_eq!(env["SERVER_PRIVATE"], server.addresses["private"]);
    setup.assert_consistent(&nsr.id, &["a", "b"]);

    assert_eq!(setup.terminate(&nsr).await.state, OperationState::Completed);
    assert!(setup.fake.is_empty());
}

#[tokio::test]
async fn one_site_makes_no_extension() {
    let setup = Setup::new(&["a", "b"]).await;
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[("sipp-server", "b"), ("sipp-client", "b")]).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert!(extends(&setup).is_empty());
    assert!(setup.nfvo.nsr(&nsr.id).unwrap().extensions.is_empty());
}

#[tokio::test]
async fn the_master_is_the_site_holding_most_instances() {
    let setup = Setup::new(&["a", "b"]).await;
    let nsr = setup.create(TIERS.as_bytes());
    // "back": app (1 instance) on a, db (2 instances) on b.
    let op = setup.instantiate(&nsr, &[("db", "b"), ("app", "a"), ("web", "a")]).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let calls = extends(&setup);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let FakeCall::Extend { site, sites, .. } = &calls[0] else { unreachable!() };
    assert_eq!((site.as_str(), sites.clone()), ("b", vec!["b".to_owned(), "a".to_owned()]));
}

#[tokio::test]
async fn scaling_onto_a_third_site_joins_and_scaling_in_leaves() {
    let setup = Setup::new(&["a", "b", "c"]).await;
    let nsr = setup.create(SIPP);
    setup.instantiate(&nsr, &[("sipp-server", "a"), ("sipp-client", "b")]).await;
    let op = setup.scale_at(&nsr, "sipp-client", 2, Some("c")).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.extensions[0].sites, vec!["a", "b", "c"]);
    let client = after.vnfr("sipp-client").unwrap().vnfcs.iter().find(|v| v.site == "c").unwrap();
    let env = setup.fake.container("c", &client.name).unwrap().env.unwrap();
    let server = &after.vnfr("sipp-server").unwrap().vnfcs[0];
    assert_eq!(env["SERVER_PRIVATE"], server.addresses["private"]);
    setup.assert_consistent(&nsr.id, &["a", "b", "c"]);

    let op = setup.scale(&nsr, "sipp-client", 1).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.extensions[0].sites, vec!["a", "b"]);
    assert!(setup.fake.networks("c").is_empty());
    assert_eq!(setup.fake.extensions().values().next().unwrap().sites, vec!["a", "b"]);
    setup.assert_consistent(&nsr.id, &["a", "b", "c"]);
}

#[tokio::test]
async fn scaling_a_local_link_onto_another_site_extends_it_and_back() {
    let setup = Setup::new(&["a", "b"]).await;
    let nsr = setup.launch_at(SIPP, "a").await;
    let op = setup.scale_at(&nsr, "sipp-client", 2, Some("b")).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert_eq!(setup.nfvo.nsr(&nsr.id).unwrap().extensions[0].sites, vec!["a", "b"]);
    let op = setup.scale(&nsr, "sipp-client", 1).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert!(after.extensions.is_empty(), "{after:?}");
    assert!(setup.fake.extensions().is_empty());
    assert!(setup.fake.networks("b").is_empty());
    setup.assert_consistent(&nsr.id, &["a", "b"]);
}

#[tokio::test]
async fn a_failure_at_the_second_site_undoes_every_site() {
    let setup = Setup::new(&["a", "b"]).await;
    setup.fake.fail_when(|c| matches!(c, FakeCall::Start { site, .. } if site == "b"));
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[("sipp-server", "a"), ("sipp-client", "b")]).await;
    assert_eq!(op.state, OperationState::Failed);
    assert!(setup.fake.is_empty(), "{:?}", setup.fake.extensions());
    assert!(setup.nfvo.store().resources_of_nsr(&nsr.id).unwrap().is_empty());
}

#[tokio::test]
async fn an_unreachable_site_fails_the_extension_naming_it() {
    let setup = Setup::new(&["a", "b"]).await;
    setup.fake.fail_when(|c| matches!(c, FakeCall::Extend { .. }));
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[("sipp-server", "a"), ("sipp-client", "b")]).await;
    assert_eq!(op.state, OperationState::Failed);
    let failure = op.error.unwrap();
    assert_eq!(failure.step, Step::Extend);
    assert!(failure.reason.contains("over sites a, b"), "{}", failure.reason);
    assert!(setup.fake.is_empty());
}

#[tokio::test]
async fn a_site_without_an_agent_is_named() {
    let setup = Setup::new(&["a"]).await;
    let spec = super::super::SiteSpec {
        name: "b".to_owned(),
        pop_endpoint: "http://b.invalid:60000".to_owned(),
        username: "admin".to_owned(),
        password: "secret".to_owned(),
        agent_endpoint: None,
        agent_token: None,
    };
    setup.nfvo.add_site(spec).await.unwrap();
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[("sipp-server", "a"), ("sipp-client", "b")]).await;
    let failure = op.error.unwrap();
    assert!(failure.reason.contains("site b has no inter-site agent"), "{}", failure.reason);
    assert!(setup.fake.is_empty());
}
