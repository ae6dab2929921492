use std::collections::BTreeSet;

use super::{Setup, SIPP, TIERS};
use crate::model::{OperationState, Status, Step};
use crate::vim::FakeCall;

/// Fails the n-th call that makes something, for every n until the launch succeeds: each
/// failed launch is FAILED at its step with the reason, and leaves nothing at the site and
/// nothing in the records.
async fn every_making_call_fails_once(nsd: &[u8]) -> BTreeSet<Step> {
    let mut steps = BTreeSet::new();
    for n in 0.. {
        let setup = Setup::new(&["a"]).await;
        let nsr = setup.create(nsd);
        setup.fake.fail_nth_making_call(n);
        let op = setup.instantiate(&nsr, &[]).await;
        if op.state == OperationState::Completed {
            assert!(n > 3, "only {n} calls made something");
            break;
        }
        assert_eq!(op.state, OperationState::Failed, "call {n}: {op:?}");
        let failure = op.error.clone().unwrap();
        assert!(failure.reason.contains("injected failure"), "{failure:?}");
        steps.insert(failure.step);
        let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
        assert_eq!(nsr.status, Status::Error);
        assert_eq!(nsr.error, Some(failure));
        assert!(nsr.vnfrs.is_empty() && nsr.networks.is_empty(), "{nsr:?}");
        assert!(setup.fake.is_empty(), "call {n} left {:?}", setup.names("a"));
        assert!(setup.nfvo.store().resources_of_nsr(&nsr.id).unwrap().is_empty());
    }
    steps
}

#[tokio::test]
async fn a_failure_at_any_step_of_a_launch_leaves_nothing() {
    let steps = every_making_call_fails_once(SIPP).await;
    let expected: BTreeSet<Step> =
        [Step::Networks, Step::Allocate, Step::Modify, Step::Start].into();
    assert_eq!(steps, expected);
    let steps = every_making_call_fails_once(TIERS.as_bytes()).await;
    assert_eq!(steps, expected);
}

#[tokio::test]
async fn a_failed_check_rolls_back() {
    let setup = Setup::new(&["a"]).await;
    setup.fake.fail_when(|call| matches!(call, FakeCall::Containers { .. }));
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[]).await;
    assert_eq!(op.error.unwrap().step, Step::Check);
    assert!(setup.fake.is_empty());
}

#[tokio::test]
async fn the_second_vnf_failing_removes_the_first() {
    let setup = Setup::new(&["a"]).await;
    setup.fake.fail_when(|call| {
        matches!(call, FakeCall::CreateContainer { name, .. } if name.starts_with("sipp-server"))
    });
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[]).await;
    assert_eq!(op.state, OperationState::Failed);
    let failure = op.error.unwrap();
    assert_eq!(failure.step, Step::Allocate);
    assert!(failure.reason.starts_with("create container sipp-server-"), "{}", failure.reason);
    let deleted: Vec<FakeCall> = setup
        .fake
        .calls()
        .into_iter()
        .filter(|c| matches!(c, FakeCall::DeleteContainer { .. } | FakeCall::DeleteNetwork { .. }))
        .collect();
    assert_eq!(deleted.len(), 3, "client, server (pending) and network: {deleted:?}");
    assert!(setup.fake.is_empty());
}

#[tokio::test]
async fn a_rollback_that_cannot_reach_the_site_says_so_and_keeps_the_records() {
    let setup = Setup::new(&["a"]).await;
    setup.fake.fail_when(|call| {
        matches!(call, FakeCall::Start { .. } | FakeCall::DeleteContainer { .. })
    });
    let nsr = setup.create(SIPP);
    let op = setup.instantiate(&nsr, &[]).await;
    let failure = op.error.unwrap();
    assert_eq!(failure.step, Step::Start);
    assert!(failure.reason.contains("the rollback failed too"), "{}", failure.reason);
    // What is left is on the records, so terminate can remove it later.
    setup.assert_consistent(&nsr.id, &["a"]);
    setup.fake.heal();
    let op = setup.terminate(&setup.nfvo.nsr(&nsr.id).unwrap()).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert!(setup.fake.is_empty());
    setup.nfvo.delete_ns(&nsr.id).unwrap();
}
