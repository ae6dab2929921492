use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::error::PopError;
use crate::model::{ContainerState, FLAVOUR_ID};
use crate::runtime::fake::Call;
use crate::runtime::Stopped;

fn md(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn started(rt: &FakeRuntime) -> usize {
    rt.calls().iter().filter(|c| matches!(c, Call::Start(_))).count()
}

#[tokio::test]
async fn create_reserves_and_runs_nothing() {
    let f = Fixture::new().await;
    let c = f.pop.create(plain("web")).await.unwrap();
    assert_eq!(c.state, ContainerState::Created);
    assert_eq!(c.flavour, FLAVOUR_ID);
    assert_eq!(addr_of(&c, "private"), "10.77.0.2");
    assert_eq!(c.id.len(), 36);
    assert_eq!(started(&f.rt), 0);
    assert_eq!(f.store.containers().unwrap(), vec![c.clone()]);
    let named = f.pop.create(CreateContainer { flavour: "docker.container".into(), ..plain("b") });
    assert_eq!(named.await.unwrap().flavour, FLAVOUR_ID);
}

#[tokio::test]
async fn create_refusals() {
    let f = Fixture::new().await;
    f.pop.create(plain("web")).await.unwrap();
    let err = |r: Result<_, PopError>| r.unwrap_err();
    assert!(matches!(err(f.pop.create(plain("web")).await), PopError::ContainerExists { .. }));
    assert!(matches!(err(f.pop.create(plain("-bad")).await), PopError::InvalidName { .. }));
    let flavour = CreateContainer { flavour: "m1.large".into(), ..plain("x") };
    assert!(matches!(err(f.pop.create(flavour).await), PopError::UnknownFlavour { .. }));
    let image = CreateContainer { image: "nope:1".into(), ..plain("x") };
    assert!(
        matches!(err(f.pop.create(image).await), e @ PopError::ImageNotFound { .. } if e.to_string().contains("nope:1"))
    );
    let net = on("x", &[("nowhere", None)]);
    assert!(
        matches!(err(f.pop.create(net).await), e @ PopError::UnknownNetwork { .. } if e.to_string().contains("nowhere"))
    );
    // Nothing of the refused calls was reserved.
    assert_eq!(addr_of(&f.pop.create(plain("next")).await.unwrap(), "private"), "10.77.0.3");
}

#[tokio::test]
async fn metadata_merges_deletes_validates_and_becomes_the_environment() {
    let f = Fixture::new().await;
    f.pop.create(plain("web")).await.unwrap();
    f.pop.set_metadata(&name("web"), md(&[("A", "1"), ("B", "2")])).await.unwrap();
    f.pop.set_metadata(&name("web"), md(&[("A", ""), ("C", "x y")])).await.unwrap();
    let bad = f.pop.set_metadata(&name("web"), md(&[("NOT-OK", "1")])).await.unwrap_err();
    assert!(
        matches!(&bad, PopError::InvalidMetadataKey { .. } if bad.to_string().contains("NOT-OK"))
    );
    let c = f.pop.container(&name("web")).unwrap();
    assert_eq!(c.metadata, md(&[("B", "2"), ("C", "x y")]));
    assert_eq!(f.store.containers().unwrap()[0].metadata, c.metadata);

    let running = f.pop.start(&name("web")).await.unwrap();
    let Some(Call::Start(spec)) = f.rt.calls().into_iter().find(|c| matches!(c, Call::Start(_)))
    else {
        panic!("no start")
    };
    assert_eq!(spec.env, c.metadata);
    assert_eq!(spec.pop_id, c.id);
    assert_eq!(spec.endpoints[0].address.to_string(), "10.77.0.2");
    assert_eq!(spec.endpoints[0].prefix_len, 16);
    assert_eq!(spec.endpoints[0].gateway.to_string(), "10.77.0.1");
    assert_eq!(spec.endpoints[0].network_runtime_id, "fakenet-private");
    assert_eq!(running.state, ContainerState::Running);
    assert!(running.started.is_some() && running.runtime_id.is_some());
    assert_eq!(running.endpoints["private"].mac.as_deref(), Some("02:42:0a:4d:00:02"));

    let late = f.pop.set_metadata(&name("web"), md(&[("D", "1")])).await.unwrap_err();
    assert!(matches!(late, PopError::WrongState { .. }));
}

#[tokio::test]
async fn start_only_once_and_failure_is_final() {
    let f = Fixture::new().await;
    f.pop.create(plain("web")).await.unwrap();
    f.pop.start(&name("web")).await.unwrap();
    let again = f.pop.start(&name("web")).await.unwrap_err();
    assert!(matches!(again, PopError::WrongState { .. }));

    f.pop.create(plain("bad")).await.unwrap();
    f.rt.fail_next_start("exec: no such file");
    let err = f.pop.start(&name("bad")).await.unwrap_err();
    assert!(crate::error::chain(&err).contains("exec: no such file"));
    let c = f.pop.container(&name("bad")).unwrap();
    assert_eq!(c.state, ContainerState::Failed);
    assert!(c.extended_status.contains("exec: no such file"));
    assert!(f.store.allocations().unwrap().iter().all(|(_, _, id)| id != &c.id));
    // Its address went back to the pool.
    let next = f.pop.create(plain("next")).await.unwrap();
    assert_eq!(addr_of(&next, "private"), addr_of(&c, "private"));
    for refused in [
        f.pop.start(&name("bad")).await.map(|_| ()),
        f.pop.stop(&name("bad"), None).await.map(|_| ()),
        f.pop.set_metadata(&name("bad"), md(&[("A", "1")])).await,
    ] {
        assert!(matches!(refused, Err(PopError::WrongState { .. })));
    }
    f.pop.delete(&name("bad"), None).await.unwrap();
}

#[tokio::test]
async fn stop_ends_exited_and_frees_addresses() {
    let f = Fixture::new().await;
    let created = f.pop.create(plain("web")).await.unwrap();
    let refused = f.pop.stop(&name("web"), None).await.unwrap_err();
    assert!(matches!(refused, PopError::WrongState { .. }));
    let running = f.pop.start(&name("web")).await.unwrap();
    let rid = running.runtime_id.clone().unwrap();
    f.rt.set_stop_result(Stopped { code: 143, killed: false });
    let stopped = f.pop.stop(&name("web"), None).await.unwrap();
    assert_eq!(stopped.state, ContainerState::Exited);
    assert_eq!(stopped.exit_code, Some(143));
    assert!(f
        .rt
        .calls()
        .contains(&Call::Stop { runtime_id: rid, timeout: Duration::from_secs(5) }));
    assert!(f.store.allocations().unwrap().is_empty());
    let again = f.pop.create(plain("other")).await.unwrap();
    assert_eq!(addr_of(&again, "private"), addr_of(&created, "private"));
    let twice = f.pop.stop(&name("web"), None).await.unwrap_err();
    assert!(matches!(twice, PopError::WrongState { .. }));
    assert!(
        f.pop.logs(&name("web"), None, usize::MAX).await.is_ok(),
        "an exited workload keeps its output"
    );
}

#[tokio::test]
async fn stop_with_a_deadline_and_a_kill() {
    let f = Fixture::new().await;
    f.pop.create(plain("web")).await.unwrap();
    let rid = f.pop.start(&name("web")).await.unwrap().runtime_id.unwrap();
    f.rt.set_stop_result(Stopped { code: 137, killed: true });
    let stopped = f.pop.stop(&name("web"), Some(Duration::from_millis(1500))).await.unwrap();
    assert_eq!(stopped.state, ContainerState::Exited);
    assert!(stopped.extended_status.contains("killed after"), "{}", stopped.extended_status);
    let timeout = Duration::from_millis(1500);
    assert!(f.rt.calls().contains(&Call::Stop { runtime_id: rid, timeout }));
}

#[tokio::test]
async fn delete_leaves_nothing() {
    let f = Fixture::new().await;
    f.pop.create(plain("idle")).await.unwrap();
    f.pop.create(plain("web")).await.unwrap();
    let rid = f.pop.start(&name("web")).await.unwrap().runtime_id.unwrap();
    f.rt.clear_calls();
    f.pop.delete(&name("idle"), None).await.unwrap();
    assert!(f.rt.calls().is_empty(), "a CREATED container has nothing in the runtime");
    f.pop.delete(&name("web"), None).await.unwrap();
    let calls = f.rt.calls();
    assert!(matches!(&calls[0], Call::Stop { runtime_id, .. } if runtime_id == &rid));
    assert_eq!(calls[1], Call::Remove(rid.clone()));
    assert!(f.rt.workload(&rid).is_none());
    assert!(f.pop.containers(None).is_empty());
    assert!(f.store.containers().unwrap().is_empty());
    assert!(f.store.allocations().unwrap().is_empty());
    let gone = f.pop.delete(&name("web"), None).await.unwrap_err();
    assert!(matches!(gone, PopError::ContainerNotFound { .. }));
    assert_eq!(addr_of(&f.pop.create(plain("web")).await.unwrap(), "private"), "10.77.0.2");
}

#[tokio::test]
async fn logs_need_a_workload() {
    let f = Fixture::new().await;
    f.pop.create(plain("web")).await.unwrap();
    let early = f.pop.logs(&name("web"), None, usize::MAX).await.unwrap_err();
    assert!(matches!(early, PopError::NeverRan { .. }));
    f.pop.start(&name("web")).await.unwrap();
    let id = f.pop.container(&name("web")).unwrap().id;
    let all = String::from_utf8(f.pop.logs(&name("web"), None, usize::MAX).await.unwrap().output)
        .unwrap();
    assert_eq!(all.lines().count(), 3);
    let tail = String::from_utf8(
        f.pop.logs(&Selector::Id(id.clone()), Some(1), usize::MAX).await.unwrap().output,
    )
    .unwrap();
    assert_eq!(tail, format!("{id} three\n"));
}

#[tokio::test]
async fn queries() {
    let f = Fixture::new().await;
    f.rt.add_image("sipp:3.6");
    let a = f.pop.create(plain("a")).await.unwrap();
    f.pop.create(plain("b")).await.unwrap();
    assert_eq!(f.pop.containers(None).len(), 2);
    assert_eq!(f.pop.containers(Some(&Selector::Id(a.id.clone()))), vec![a]);
    assert!(f.pop.containers(Some(&name("zzz"))).is_empty());
    assert_eq!(f.pop.flavours(None).len(), 1);
    assert_eq!(f.pop.flavours(Some(&name("docker.container")))[0].id, FLAVOUR_ID);
    assert!(f.pop.flavours(Some(&name("m1.small"))).is_empty());
    assert_eq!(f.pop.images(None).await.unwrap().len(), 2);
    assert_eq!(f.pop.images(Some(&name("sipp:3.6"))).await.unwrap()[0].names, vec!["sipp:3.6"]);
    let info = f.pop.info();
    assert_eq!((info.kind.as_str(), info.name.as_str()), ("archipel-popd", "test-pop"));
}
