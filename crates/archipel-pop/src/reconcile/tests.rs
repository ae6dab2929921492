use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use super::*;
use crate::model::ContainerState;
use crate::registry::tests::{addr_of, name, plain, Fixture};
use crate::runtime::fake::{Call, FakeRuntime};

fn state(pop: &Pop, n: &str) -> ContainerState {
    pop.container(&name(n)).unwrap().state
}

#[tokio::test]
async fn polling_finds_ended_and_vanished_workloads_and_orphans() {
    let f = Fixture::new().await;
    let mut rids = Vec::new();
    for n in ["ok", "bad", "gone", "busy"] {
        f.pop.create(plain(n)).await.unwrap();
        rids.push(f.pop.start(&name(n)).await.unwrap().runtime_id.unwrap());
    }
    f.rt.exit(&rids[0], 0, false);
    f.rt.exit(&rids[1], 2, false);
    f.rt.vanish(&rids[2]);
    let orphan = f.rt.insert_workload("not-a-container");
    poll_once(&f.pop).await;
    assert_eq!(state(&f.pop, "ok"), ContainerState::Exited);
    let bad = f.pop.container(&name("bad")).unwrap();
    assert_eq!((bad.state, bad.exit_code), (ContainerState::Failed, Some(2)));
    let gone = f.pop.container(&name("gone")).unwrap();
    assert_eq!((gone.state, gone.exit_code), (ContainerState::Failed, None));
    assert!(gone.extended_status.contains("disappeared"));
    assert_eq!(state(&f.pop, "busy"), ContainerState::Running);
    assert!(f.rt.workload(&orphan).is_none());
    assert_eq!(f.store.allocations().unwrap().len(), 1, "only the running one holds an address");
}

#[tokio::test]
async fn a_failing_listing_changes_nothing() {
    let f = Fixture::new().await;
    f.pop.create(plain("web")).await.unwrap();
    f.pop.start(&name("web")).await.unwrap();
    f.rt.fail_listing(true);
    poll_once(&f.pop).await;
    assert_eq!(state(&f.pop, "web"), ContainerState::Running);
}

#[tokio::test]
async fn the_background_task_follows_exit_events() {
    let f = Fixture::new().await;
    f.pop.create(plain("web")).await.unwrap();
    let rid = f.pop.start(&name("web")).await.unwrap().runtime_id.unwrap();
    let mut changes = f.pop.watch(Some(name("web")));
    assert_eq!(changes.next().await.unwrap().container.state, ContainerState::Running);
    // A long poll interval: the event, not the poll, must do it.
    let task = spawn(f.pop.clone(), Duration::from_secs(3600));
    f.rt.exit(&rid, 7, true);
    let change = changes.next().await.unwrap();
    assert_eq!(
        (change.container.state, change.container.exit_code),
        (ContainerState::Failed, Some(7))
    );
    f.pop.close();
    task.await.unwrap();
}

#[tokio::test]
async fn recovery_adopts_settles_and_cleans_up() {
    let f = Fixture::new().await;
    let mut rid = std::collections::HashMap::new();
    for n in ["alive", "ended", "vanished", "stopping", "stopping-gone"] {
        f.pop.create(plain(n)).await.unwrap();
        rid.insert(n, f.pop.start(&name(n)).await.unwrap().runtime_id.unwrap());
    }
    let idle = f.pop.create(plain("idle")).await.unwrap();
    // Simulate a popd killed in the middle of two stops: the records say STOPPING.
    for n in ["stopping", "stopping-gone"] {
        let mut st = f.pop.lock();
        let mut r = st.container(&name(n)).unwrap().record.clone();
        r.transition(ContainerState::Stopping).unwrap();
        f.pop.commit(&mut st, r).unwrap();
    }
    f.rt.exit(&rid["ended"], 0, false);
    f.rt.vanish(&rid["vanished"]);
    f.rt.vanish(&rid["stopping-gone"]);
    let orphan = f.rt.insert_workload("a-forgotten-container");
    let cut_start = f.rt.insert_workload(&idle.id);
    f.rt.clear_calls();

    let pop = f.restart().await;
    let starts = f.rt.calls().iter().filter(|c| matches!(c, Call::Start(_))).count();
    assert_eq!(starts, 0, "never restarted");
    let alive = pop.container(&name("alive")).unwrap();
    assert_eq!(
        (alive.state, alive.runtime_id.as_deref()),
        (ContainerState::Running, Some(rid["alive"].as_str()))
    );
    assert_eq!(state(&pop, "ended"), ContainerState::Exited);
    assert_eq!(state(&pop, "vanished"), ContainerState::Failed);
    let stopped = pop.container(&name("stopping")).unwrap();
    assert_eq!((stopped.state, stopped.exit_code), (ContainerState::Exited, Some(0)));
    assert_eq!(state(&pop, "stopping-gone"), ContainerState::Failed);
    assert_eq!(state(&pop, "idle"), ContainerState::Created);
    assert!(f.rt.workload(&orphan).is_none());
    assert!(f.rt.workload(&cut_start).is_none());
    assert!(f.rt.workload(&rid["alive"]).is_some());

    // Allocations: exactly the live containers' addresses, and no double booking.
    let held: Vec<_> =
        f.store.allocations().unwrap().into_iter().map(|(_, a, _)| a.to_string()).collect();
    assert_eq!(held, vec![addr_of(&alive, "private"), addr_of(&idle, "private")]);
    let fresh = pop.create(plain("fresh")).await.unwrap();
    assert!(!held.contains(&addr_of(&fresh, "private")));
}

#[tokio::test]
async fn recovery_survives_a_real_reopen_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let rt = Arc::new(FakeRuntime::new());
    let open = |rt: Arc<FakeRuntime>| {
        let store = Arc::new(crate::store::Store::open(dir.path()).unwrap());
        Pop::open(store, rt, crate::registry::tests::settings())
    };
    let pop = open(rt.clone()).await.unwrap();
    pop.create(plain("web")).await.unwrap();
    let rid = pop.start(&name("web")).await.unwrap().runtime_id.unwrap();
    drop(pop);
    let pop = open(rt.clone()).await.unwrap();
    let web = pop.container(&name("web")).unwrap();
    assert_eq!((web.state, web.runtime_id), (ContainerState::Running, Some(rid)));
    assert_eq!(addr_of(&pop.create(plain("b")).await.unwrap(), "private"), "10.77.0.3");
}
