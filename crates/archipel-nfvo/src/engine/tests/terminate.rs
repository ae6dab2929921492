use super::{Setup, SIPP, TIERS};
use crate::model::{OperationState, Status, Step};
use crate::vim::FakeCall;
use crate::NfvoError;

#[tokio::test]
async fn terminate_leaves_nothing() {
    let setup = Setup::new(&["a", "b"]).await;
    let nsr = setup.create(TIERS.as_bytes());
    let op = setup.instantiate(&nsr, &[("db", "b"), ("app", "a"), ("web", "a")]).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    setup.scale(&nsr, "app", 3).await;
    let op = setup.terminate(&nsr).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert!(setup.fake.is_empty());
    let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(nsr.status, Status::Terminated);
    assert!(nsr.vnfcs().next().is_none() && nsr.networks.is_empty());
    assert!(nsr.vnfrs.iter().all(|v| v.status == Status::Terminated));
    assert!(setup.nfvo.store().resources_of_nsr(&nsr.id).unwrap().is_empty());

    // Terminated: it can be launched again, or deleted, and the site removed.
    assert!(matches!(setup.nfvo.terminate(&nsr.id), Err(NfvoError::WrongStatus { .. })));
    setup.nfvo.delete_ns(&nsr.id).unwrap();
    setup.nfvo.remove_site("b").unwrap();
}

#[tokio::test]
async fn a_failed_terminate_keeps_what_is_left_and_can_be_retried() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    setup.fake.fail_when(|call| matches!(call, FakeCall::DeleteNetwork { .. }));
    let op = setup.terminate(&nsr).await;
    assert_eq!(op.state, OperationState::Failed);
    assert_eq!(op.error.as_ref().unwrap().step, Step::Delete);
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.status, Status::Error);
    assert_eq!(after.networks.len(), 1);
    setup.assert_consistent(&nsr.id, &["a"]);
    assert!(matches!(setup.nfvo.remove_site("a"), Err(NfvoError::SiteInUse { .. })));

    setup.fake.heal();
    assert_eq!(setup.terminate(&nsr).await.state, OperationState::Completed);
    assert!(setup.fake.is_empty());
}

#[tokio::test]
async fn records_in_use_are_kept() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    assert!(matches!(setup.nfvo.delete_nsd(&nsr.nsd_id), Err(NfvoError::NsdInUse { .. })));
    assert!(matches!(setup.nfvo.delete_ns(&nsr.id), Err(NfvoError::HoldsResources { .. })));
    assert!(matches!(setup.nfvo.remove_site("a"), Err(NfvoError::SiteInUse { .. })));
    let again = setup.nfvo.instantiate(&nsr.id, Default::default()).unwrap_err();
    assert!(matches!(again, NfvoError::WrongStatus { .. }), "{again}");
    setup.terminate(&nsr).await;
    setup.nfvo.delete_ns(&nsr.id).unwrap();
    let disable = crate::engine::NsdChange { enabled: Some(false), user_data: None };
    setup.nfvo.modify_nsd(&nsr.nsd_id, &disable, None).unwrap();
    setup.nfvo.delete_nsd(&nsr.nsd_id).unwrap();
}

#[tokio::test]
async fn a_service_a_terminate_failed_on_may_only_be_terminated() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    let server = setup.names("a").into_iter().find(|n| n.starts_with("sipp-server")).unwrap();
    let failing = server.clone();
    setup.fake.fail_when(
        move |call| matches!(call, FakeCall::DeleteContainer { name, .. } if *name == failing),
    );
    assert_eq!(setup.terminate(&nsr).await.state, OperationState::Failed);
    assert_eq!(setup.names("a"), [server]);

    // Half gone: a scale would report it ACTIVE without its client.
    setup.fake.heal();
    let err = setup.nfvo.scale(&nsr.id, "sipp-client", 1, None).unwrap_err();
    assert!(matches!(err, NfvoError::AfterFailed { failed: "TERMINATE", .. }), "{err:?}");
    assert!(err.to_string().contains("only a terminate may follow"), "{err}");
    assert_eq!(setup.terminate(&nsr).await.state, OperationState::Completed);
    assert!(setup.fake.is_empty());
}
