use std::collections::BTreeMap;

use super::{Setup, SIPP, TIERS};
use crate::ids;
use crate::model::{OperationState, Status, Step};
use crate::vim::{FakeCall, Vims};
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

#[tokio::test]
async fn a_scale_out_whose_target_cannot_be_made_again_leaves_the_target_as_it_was() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(TIERS.as_bytes()).await;
    let short = ids::short(&nsr.id).to_owned();
    let app = format!("app-{short}-0");
    let before = setup.fake.container("a", &app).unwrap();
    // Scaling db out re-creates app with the new list: its first making fails, once.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let target = app.clone();
    setup.fake.fail_when(move |call| {
        matches!(call, FakeCall::CreateContainer { name, .. } if *name == target)
            && !failed.swap(true, std::sync::atomic::Ordering::SeqCst)
    });
    let op = setup.scale(&nsr, "db", 3).await;
    assert_eq!(op.state, OperationState::Failed, "{op:?}");
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.status, Status::Error);
    let dbs = |nsr: &crate::model::Nsr| nsr.vnfr("db").unwrap().vnfcs.len();
    assert_eq!(dbs(&after), dbs(&nsr));
    // The rollback made app again as it was before the scale.
    let restored = setup.fake.container("a", &app).expect("app is there after the rollback");
    assert_eq!(restored.status, "RUNNING");
    assert_eq!(restored.env, before.env);
    assert_eq!(restored.addresses, before.addresses);
    assert_eq!(after.vnfr("app").unwrap().vnfcs[0].metadata, after.vnfr("app").unwrap().metadata);
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn a_scale_makes_again_an_instance_its_site_no_longer_holds_or_never_started() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(TIERS.as_bytes()).await;
    let short = ids::short(&nsr.id).to_owned();
    let vim = setup.fake.vim(&setup.nfvo.store().site("a").unwrap().unwrap());
    let (web, app) = (format!("web-{short}-0"), format!("app-{short}-0"));
    let web_before = setup.fake.container("a", &web).unwrap();
    vim.delete_container(&web).await.unwrap();
    // An app re-created up to its start, then cut short.
    let app_before = setup.fake.container("a", &app).unwrap();
    vim.delete_container(&app).await.unwrap();
    let spec = crate::vim::ContainerSpec {
        name: app.clone(),
        image: "img/app".into(),
        networks: Vec::new(),
        addresses: Default::default(),
    };
    vim.create_container(&spec).await.unwrap();

    // db has 2 already: the scale only checks its targets and the sites.
    let op = setup.scale(&nsr, "db", 2).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert_eq!(setup.nfvo.nsr(&nsr.id).unwrap().status, Status::Active);
    for (name, before) in [(&web, web_before), (&app, app_before)] {
        let now = setup.fake.container("a", name).unwrap();
        assert_eq!(now.status, "RUNNING", "{name}");
        assert_eq!(now.addresses, before.addresses, "{name}");
        assert_eq!(now.env, before.env, "{name}");
    }
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn a_scale_first_finishes_what_a_failed_scale_in_was_deleting() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    let short = ids::short(&nsr.id).to_owned();
    setup.scale(&nsr, "sipp-client", 3).await;
    let stuck = format!("sipp-client-{short}-2");
    let failing = stuck.clone();
    setup.fake.fail_when(
        move |call| matches!(call, FakeCall::DeleteContainer { name, .. } if *name == failing),
    );
    assert_eq!(setup.scale(&nsr, "sipp-client", 1).await.state, OperationState::Failed);
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.status, Status::Error);
    assert!(after.vnfcs().any(|(_, v)| v.name == stuck), "held while its deletion is unfinished");

    // The instance being deleted does not count: scaling to 2 removes it and adds one.
    setup.fake.heal();
    let op = setup.scale(&nsr, "sipp-client", 2).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.status, Status::Active);
    let clients: Vec<&str> =
        after.vnfr("sipp-client").unwrap().vnfcs.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(clients.len(), 2, "{clients:?}");
    assert!(!clients.contains(&stuck.as_str()), "{clients:?}");
    assert!(setup.fake.container("a", &stuck).is_none());
    setup.assert_consistent(&nsr.id, &["a"]);
}
