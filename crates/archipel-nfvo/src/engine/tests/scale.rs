use std::collections::BTreeMap;

use super::{Setup, SIPP, TIERS};
use crate::ids;
use crate::model::{OperationState, Status, Step};
use crate::vim::FakeCall;
use crate::NfvoError;

#[tokio::test]
async fn scale_the_client_out_to_3_then_in_to_1() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    let short = ids::short(&nsr.id).to_owned();
    let op = setup.scale(&nsr, "sipp-client", 3).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let scaled = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(scaled.status, Status::Active);
    let vnfr = scaled.vnfr("sipp-client").unwrap();
    let indices: Vec<u32> = vnfr.vnfcs.iter().map(|v| v.index).collect();
    assert_eq!(indices, [0, 1, 2]);
    let shared = |env: Option<BTreeMap<String, String>>| -> BTreeMap<String, String> {
        env.unwrap().into_iter().filter(|(k, _)| !k.starts_with("SELF_")).collect()
    };
    let first_env =
        shared(setup.fake.container("a", &format!("sipp-client-{short}-0")).unwrap().env);
    for i in 1..3 {
        let name = format!("sipp-client-{short}-{i}");
        let c = setup.fake.container("a", &name).unwrap();
        assert_eq!(c.status, "RUNNING");
        assert_eq!(c.env.as_ref().unwrap()["SELF_HOSTNAME"], name);
        // A new instance gets the full configuration.
        assert_eq!(shared(c.env), first_env);
    }
    setup.assert_consistent(&nsr.id, &["a"]);

    let op = setup.scale(&nsr, "sipp-client", 1).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let scaled = setup.nfvo.nsr(&nsr.id).unwrap();
    let vnfr = scaled.vnfr("sipp-client").unwrap();
    assert_eq!(vnfr.vnfcs.len(), 1);
    assert_eq!(vnfr.vnfcs[0].index, 0, "the newest go first");
    setup.assert_consistent(&nsr.id, &["a"]);

    // Indices are never reused.
    setup.scale(&nsr, "sipp-client", 2).await;
    let names = setup.names("a");
    assert!(names.contains(&format!("sipp-client-{short}-3")), "{names:?}");
}

#[tokio::test]
async fn scaling_a_source_updates_what_its_targets_receive() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(TIERS.as_bytes()).await;
    let short = ids::short(&nsr.id).to_owned();
    let before = setup.fake.container("a", &format!("app-{short}-0")).unwrap();
    let op = setup.scale(&nsr, "db", 3).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let scaled = setup.nfvo.nsr(&nsr.id).unwrap();
    let db_ips: Vec<String> =
        scaled.vnfr("db").unwrap().vnfcs.iter().map(|v| v.addresses["back"].clone()).collect();
    assert_eq!(db_ips.len(), 3);
    let app = scaled.vnfr("app").unwrap();
    assert_eq!(app.metadata["DB_BACK_LIST"], db_ips.join(","));
    // A running target is re-created with the new list, at the same address; the web, the
    // target of app, whose values did not change, is left running.
    assert_eq!(app.vnfcs[0].metadata, app.metadata);
    let restarted = setup.fake.container("a", &before.name).unwrap();
    assert_eq!(restarted.env.unwrap()["DB_BACK_LIST"], db_ips.join(","));
    assert_eq!(restarted.addresses, before.addresses);
    assert_eq!(restarted.status, "RUNNING");
    assert_ne!(restarted.id, before.id);
    let web = format!("web-{short}-0");
    let touched =
        setup.fake.calls().into_iter().any(
            |c| matches!(c, crate::vim::FakeCall::DeleteContainer { name, .. } if name == web),
        );
    assert!(!touched, "web was restarted");

    // A new target instance receives the three sources.
    setup.scale(&nsr, "app", 2).await;
    let fresh = setup.fake.container("a", &format!("app-{short}-1")).unwrap();
    assert_eq!(fresh.env.unwrap()["DB_BACK_LIST"], db_ips.join(","));

    setup.scale(&nsr, "db", 1).await;
    let app = setup.nfvo.nsr(&nsr.id).unwrap().vnfr("app").unwrap().clone();
    assert_eq!(app.metadata["DB_BACK_LIST"], db_ips[0]);
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn scale_stays_within_scale_in_out() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    for (vnf, n) in [("sipp-client", 6), ("sipp-client", 0), ("sipp-server", 2)] {
        let err = setup.nfvo.scale(&nsr.id, vnf, n, None).unwrap_err();
        assert!(matches!(err, NfvoError::InvalidRequest { .. }), "{err}");
    }
    let err = setup.nfvo.scale(&nsr.id, "nope", 1, None).unwrap_err();
    assert!(err.to_string().contains("has no VNF nope"), "{err}");
}

#[tokio::test]
async fn a_failed_scale_out_removes_only_the_new_instances() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    let short = ids::short(&nsr.id).to_owned();
    let failing = format!("sipp-client-{short}-2");
    setup
        .fake
        .fail_when(move |call| matches!(call, FakeCall::Start { name, .. } if *name == failing));
    let op = setup.scale(&nsr, "sipp-client", 4).await;
    assert_eq!(op.state, OperationState::Failed);
    assert_eq!(op.error.unwrap().step, Step::Start);
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.status, Status::Error);
    assert_eq!(after.vnfr("sipp-client").unwrap().vnfcs.len(), 1);
    assert_eq!(setup.names("a").len(), 2);
    setup.assert_consistent(&nsr.id, &["a"]);

    // ERROR after a failed scale still allows scaling, which clears the error.
    setup.fake.heal();
    let op = setup.scale(&nsr, "sipp-client", 2).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert_eq!(setup.nfvo.nsr(&nsr.id).unwrap().status, Status::Active);
}
