//! The watch and heal against the fake sites: a workload's death, a cut site, the auto-heal.

use std::time::Duration;

use super::{Setup, SIPP};
use crate::engine::WatchConfig;
use crate::model::{HealthState, Nsr, OperationState};
use crate::vim::FakeCall;

fn fast(auto_heal_attempts: u32) -> WatchConfig {
    WatchConfig {
        probe: Duration::from_millis(50),
        backoff: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        auto_heal_attempts,
        auto_heal_backoff: Duration::from_millis(10),
    }
}

/// Waits until the NSR satisfies `ready`, and returns it.
async fn until(setup: &Setup, id: &str, ready: impl Fn(&Nsr) -> bool) -> Nsr {
    loop {
        let nsr = setup.nfvo.nsr(id).unwrap();
        let idle =
            setup.nfvo.ops().unwrap().iter().all(|op| op.state != OperationState::Processing);
        if idle && ready(&nsr) {
            return nsr;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Starts the watch, once it follows site `a`.
async fn watched(setup: &Setup) -> crate::engine::Watching {
    let watching = setup.nfvo.watch_sites();
    while setup.fake.watchers("a") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    watching
}

/// Launches the SIPp service with auto-heal on, watched.
async fn launch_auto_healed(setup: &Setup) -> (Nsr, crate::engine::Watching) {
    let nsr = setup.create(SIPP);
    let op = setup.nfvo.instantiate_with(&nsr.id, Default::default(), true).unwrap();
    assert_eq!(setup.nfvo.wait(&op.id).await.unwrap().state, OperationState::Completed);
    (setup.nfvo.nsr(&nsr.id).unwrap(), watched(setup).await)
}

fn heal_ops(setup: &Setup) -> Vec<crate::model::OpOcc> {
    let ops = setup.nfvo.ops().unwrap().into_iter();
    ops.filter(|op| op.operation.kind() == crate::model::LcmOperation::Heal).collect()
}

fn vnfc_health(nsr: &Nsr, vnf: &str) -> HealthState {
    nsr.vnfr(vnf).unwrap().vnfcs[0].health.state
}

fn open_alarms(nsr: &Nsr) -> usize {
    nsr.alarms.iter().filter(|a| a.cleared.is_none()).count()
}

#[tokio::test]
async fn a_dead_workload_degrades_the_records_and_heal_brings_it_back_as_it_was() {
    let setup = Setup::with_watch(&["a"], fast(3)).await;
    let nsr = setup.launch(SIPP).await;
    let _watching = watched(&setup).await;
    let server = nsr.vnfr("sipp-server").unwrap().vnfcs[0].clone();
    let before = setup.fake.container("a", &server.name).unwrap();

    setup.fake.end_workload("a", &server.name, "FAILED", 137);
    let degraded = until(&setup, &nsr.id, |n| n.health.state == HealthState::Degraded).await;
    assert_eq!(vnfc_health(&degraded, "sipp-server"), HealthState::Degraded);
    assert_eq!(degraded.vnfr("sipp-server").unwrap().health.state, HealthState::Degraded);
    assert_eq!(vnfc_health(&degraded, "sipp-client"), HealthState::Healthy);
    let reason = degraded.health.reason.clone().unwrap();
    assert!(reason.contains(&server.name) && reason.contains("exit code 137"), "{reason}");
    assert_eq!(open_alarms(&degraded), 1);
    assert_eq!(degraded.alarms[0].vnfc, server.name);

    setup.fake.clear_calls();
    let op = setup.nfvo.heal(&nsr.id, Vec::new()).unwrap();
    let op = setup.nfvo.wait(&op.id).await.unwrap();
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let healed = until(&setup, &nsr.id, |n| n.health.state == HealthState::Healthy).await;
    assert_eq!(open_alarms(&healed), 0);
    assert!(healed.alarms[0].cleared.is_some());
    let after = setup.fake.container("a", &server.name).unwrap();
    assert_eq!(after.status, "RUNNING");
    assert_eq!(after.addresses, before.addresses);
    assert_eq!(after.env, before.env);
    assert_ne!(after.id, before.id);
    let client = &nsr.vnfr("sipp-client").unwrap().vnfcs[0].name;
    let touched: Vec<_> = setup
        .fake
        .calls()
        .into_iter()
        .filter(|c| matches!(c, FakeCall::Start { name, .. } | FakeCall::DeleteContainer { name, .. } if name == client))
        .collect();
    assert!(touched.is_empty(), "the dependant was restarted: {touched:?}");
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn a_site_cut_off_makes_its_vnfcs_unknown_until_it_answers_again() {
    let setup = Setup::with_watch(&["a"], fast(3)).await;
    let nsr = setup.launch(SIPP).await;
    let _watching = setup.nfvo.watch_sites();
    while setup.nfvo.site_reach("a") != crate::model::SiteReach::Reachable {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    setup.fake.make_unreachable("a");
    let cut = until(&setup, &nsr.id, |n| n.health.state == HealthState::Unknown).await;
    assert_eq!(vnfc_health(&cut, "sipp-server"), HealthState::Unknown);
    assert_eq!(open_alarms(&cut), 0, "unknown is not failed");
    assert_eq!(setup.nfvo.site_reach("a"), crate::model::SiteReach::Unreachable);

    // A workload that died during the cut is seen by the re-read after it.
    let server = nsr.vnfr("sipp-server").unwrap().vnfcs[0].name.clone();
    setup.fake.heal();
    setup.fake.make_unreachable("a");
    setup.fake.end_workload("a", &server, "EXITED", 1);
    setup.fake.heal();
    let back = until(&setup, &nsr.id, |n| n.health.state == HealthState::Degraded).await;
    assert_eq!(vnfc_health(&back, "sipp-client"), HealthState::Healthy);
    assert_eq!(vnfc_health(&back, "sipp-server"), HealthState::Degraded);
    assert_eq!(setup.nfvo.site_reach("a"), crate::model::SiteReach::Reachable);
}

#[tokio::test]
async fn auto_heal_heals_without_an_operator() {
    let setup = Setup::with_watch(&["a"], fast(3)).await;
    let (nsr, _watching) = launch_auto_healed(&setup).await;
    let server = nsr.vnfr("sipp-server").unwrap().vnfcs[0].name.clone();
    setup.fake.end_workload("a", &server, "FAILED", 137);
    let healed = until(&setup, &nsr.id, |n| {
        n.alarms.len() == 1 && open_alarms(n) == 0 && n.health.state == HealthState::Healthy
    })
    .await;
    assert_eq!(healed.auto_heals, 1);
    assert_eq!(heal_ops(&setup).len(), 1);
    assert_eq!(setup.fake.container("a", &server).unwrap().status, "RUNNING");
}

#[tokio::test]
async fn auto_heal_gives_up_after_its_attempts_with_the_alarm_raised_and_nothing_leaked() {
    let setup = Setup::with_watch(&["a"], fast(2)).await;
    let (nsr, _watching) = launch_auto_healed(&setup).await;
    setup.fake.exit_on_start("mcilloni/sipp-server:latest");
    let server = nsr.vnfr("sipp-server").unwrap().vnfcs[0].name.clone();
    setup.fake.end_workload("a", &server, "FAILED", 137);
    let given_up =
        until(&setup, &nsr.id, |n| n.auto_heals == 2 && heal_ops(&setup).len() == 2).await;
    // Longer than the next attempt would wait: none comes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(heal_ops(&setup).len(), 2);
    assert!(heal_ops(&setup).iter().all(|op| op.state == OperationState::Failed));
    let given_up = setup.nfvo.nsr(&given_up.id).unwrap();
    assert_eq!(open_alarms(&given_up), 1);
    assert_eq!(given_up.health.state, HealthState::Degraded);
    setup.assert_consistent(&nsr.id, &["a"]);
    let op = setup.terminate(&given_up).await;
    assert_eq!(op.state, OperationState::Completed);
    assert!(setup.fake.is_empty());
}
