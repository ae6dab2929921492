use std::collections::BTreeMap;

use super::{Setup, SIPP, TIERS};
use crate::ids;
use crate::model::{OperationState, Status, Step};
use crate::vim::FakeCall;

#[tokio::test]
async fn appendix_c_launches_with_the_dependency_resolved() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    let short = ids::short(&nsr.id).to_owned();
    assert_eq!(nsr.status, Status::Active);
    assert!(nsr.error.is_none());
    assert_eq!(setup.fake.networks("a"), vec![format!("private-{short}")]);

    let server = setup.fake.container("a", &format!("sipp-server-{short}-0")).unwrap();
    let client = setup.fake.container("a", &format!("sipp-client-{short}-0")).unwrap();
    assert_eq!((server.status.as_str(), client.status.as_str()), ("RUNNING", "RUNNING"));
    let server_ip = server.addresses[&format!("private-{short}")].clone();
    let env = client.env.unwrap();
    assert_eq!(env["SERVER_PRIVATE"], server_ip);
    assert_eq!(env["SERVER_PRIVATE_LIST"], server_ip);
    for (key, value) in [
        ("SIPP_LENGTH", "0"),
        ("SIPP_RATE", "10"),
        ("SIPP_RATE_PERIOD", "1000"),
        ("SIPP_RATE_MAX", "10"),
        ("SIPP_RATE_INCREASE", "0"),
        ("SIPP_RTP_ECHO", "10"),
        ("SIPP_TRANSPORT_MODE", "u1"),
    ] {
        assert_eq!(env[key], value, "{key}");
    }
    // Each VNFC knows its own name and address.
    assert_eq!(env["SELF_HOSTNAME"], client.name);
    assert_eq!(env["SELF_PRIVATE"], client.addresses[&format!("private-{short}")]);
    assert_eq!(env.len(), 11, "{env:?}");
    let server_env = server.env.unwrap();
    assert_eq!(server_env.keys().collect::<Vec<_>>(), ["SELF_HOSTNAME", "SELF_PRIVATE"]);
    let shared: BTreeMap<String, String> = env
        .iter()
        .filter(|(k, _)| !k.starts_with("SELF_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    // The records say what the site holds.
    let vnfr = nsr.vnfr("sipp-client").unwrap();
    assert_eq!((vnfr.site.as_str(), vnfr.status), ("a", Status::Active));
    assert_eq!(vnfr.vnfcs[0].addresses["private"], client.addresses[&format!("private-{short}")]);
    assert_eq!(vnfr.vnfcs[0].metadata, shared);
    assert_eq!(vnfr.vnfcs[0].pop_status, "RUNNING");
    assert_eq!(vnfr.metadata, shared);
    assert_eq!(nsr.networks[0].subnet.to_string(), "10.200.0.0/24");
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn allocate_check_modify_then_start_sources_first() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    let short = ids::short(&nsr.id).to_owned();
    let kinds: Vec<String> = setup
        .fake
        .calls()
        .into_iter()
        .map(|call| match call {
            FakeCall::CreateNetwork { name, .. } => format!("net {name}"),
            FakeCall::CreateContainer { name, .. } => format!("create {name}"),
            FakeCall::Containers { .. } => "check".to_owned(),
            FakeCall::SetMetadata { name, .. } => format!("md {name}"),
            FakeCall::Start { name, .. } => format!("start {name}"),
            other => format!("{other:?}"),
        })
        .collect();
    let (client, server) = (format!("sipp-client-{short}-0"), format!("sipp-server-{short}-0"));
    assert_eq!(
        kinds,
        vec![
            format!("net private-{short}"),
            format!("create {client}"),
            format!("create {server}"),
            "check".to_owned(),
            // Sources first; the server receives only its own name and address.
            format!("md {server}"),
            format!("md {client}"),
            format!("start {server}"),
            format!("start {client}"),
        ]
    );
}

#[tokio::test]
async fn dependencies_chain_across_links_with_lists() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(TIERS.as_bytes()).await;
    let short = ids::short(&nsr.id).to_owned();
    let db0 = setup.fake.container("a", &format!("db-{short}-0")).unwrap();
    let db1 = setup.fake.container("a", &format!("db-{short}-1")).unwrap();
    let app = setup.fake.container("a", &format!("app-{short}-0")).unwrap();
    let web = setup.fake.container("a", &format!("web-{short}-0")).unwrap();
    let back = format!("back-{short}");
    let app_env = app.env.unwrap();
    assert_eq!(app_env["DB_BACK"], db0.addresses[&back]);
    assert_eq!(
        app_env["DB_BACK_LIST"],
        format!("{},{}", db0.addresses[&back], db1.addresses[&back])
    );
    assert_eq!(app_env["DB_HOSTNAME"], db0.name);
    assert_eq!(app_env["DB_HOSTNAME_LIST"], format!("{},{}", db0.name, db1.name));
    assert_eq!(app_env["DB_PORT"], "5432");
    assert_eq!(app_env["APP_MODE"], "fast");
    assert_eq!(web.env.unwrap()["APP_FRONT"], app.addresses[&format!("front-{short}")]);
    assert_eq!(db0.env.unwrap()["port"], "5432");

    // db starts before app, app before web.
    let starts: Vec<String> = setup
        .fake
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            FakeCall::Start { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    let pos = |prefix: &str| starts.iter().position(|n| n.starts_with(prefix)).unwrap();
    assert!(pos("db-") < pos("app-") && pos("app-") < pos("web-"), "{starts:?}");
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn two_instances_of_one_nsd_never_collide() {
    let setup = Setup::new(&["a"]).await;
    let first = setup.launch(SIPP).await;
    let second = setup.launch(SIPP).await;
    assert_eq!(setup.fake.networks("a").len(), 2);
    assert_eq!(setup.names("a").len(), 4);
    assert_ne!(first.networks[0].subnet, second.networks[0].subnet);
}

#[tokio::test]
async fn active_only_when_every_vnfc_runs() {
    let setup = Setup::new(&["a"]).await;
    setup.fake.exit_on_start("mcilloni/sipp-client:latest");
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[]).await;
    assert_eq!(op.state, OperationState::Failed);
    let failure = op.error.unwrap();
    assert_eq!(failure.step, Step::Start);
    assert!(failure.reason.contains("is EXITED after start, not RUNNING"), "{}", failure.reason);
    let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(nsr.status, Status::Error);
    assert!(setup.fake.is_empty());
}

#[tokio::test]
async fn a_failed_instance_can_be_instantiated_again_or_deleted() {
    let setup = Setup::new(&["a"]).await;
    setup.fake.fail_nth_making_call(2);
    let nsr = setup.create(SIPP);
    assert_eq!(setup.instantiate(&nsr, &[]).await.state, OperationState::Failed);
    let op = setup.instantiate(&nsr, &[]).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert!(setup.nfvo.nsr(&nsr.id).unwrap().error.is_none());
    assert!(matches!(setup.nfvo.delete_ns(&nsr.id), Err(crate::NfvoError::HoldsResources { .. })));
}
