use std::collections::BTreeMap;

use archipel_ipam::SubnetPlan;

use super::*;
use crate::model::{ContainerEndpoint, ContainerState, LinuxAttachment, PopContainer, PopNetwork};

fn network() -> PopNetwork {
    PopNetwork {
        id: "net-1".into(),
        name: "private".into(),
        plan: SubnetPlan::new(
            "172.16.0.0/16".parse().unwrap(),
            None,
            vec!["172.16.0.10-172.16.0.20".parse().unwrap()],
        )
        .unwrap(),
        mtu: Some(1450),
        attachment: LinuxAttachment { bridge: "br-x".into(), netns: Some("site-a".into()) },
        runtime_id: "docker-net".into(),
        managed: false,
    }
}

fn container(id: &str, name: &str, addr: &str) -> PopContainer {
    PopContainer {
        id: id.into(),
        name: name.into(),
        image: "alpine:latest".into(),
        flavour: "docker-flavour-id".into(),
        endpoints: BTreeMap::from([(
            "private".to_string(),
            ContainerEndpoint {
                network_id: "net-1".into(),
                address: addr.parse().unwrap(),
                mac: None,
            },
        )]),
        metadata: BTreeMap::from([("SERVER".to_string(), "x y".to_string())]),
        created: 100,
        started: None,
        state: ContainerState::Created,
        extended_status: "created".into(),
        exit_code: None,
        runtime_id: None,
    }
}

#[test]
fn round_trip_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = container("c1", "one", "172.16.0.10");
    {
        let store = Store::open(dir.path()).unwrap();
        store.put_network(&network()).unwrap();
        store.put_container(&c).unwrap();
        c.state = ContainerState::Running;
        c.started = Some(120);
        c.runtime_id = Some("rt-1".into());
        c.endpoints.get_mut("private").unwrap().mac = Some("02:42:ac:10:00:0a".into());
        store.put_container(&c).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.networks().unwrap(), vec![network()]);
    assert_eq!(store.containers().unwrap(), vec![c]);
    assert_eq!(
        store.allocations().unwrap(),
        vec![("net-1".to_string(), "172.16.0.10".parse().unwrap(), "c1".to_string())]
    );
}

#[test]
fn final_state_releases_and_delete_forgets() {
    let store = Store::in_memory().unwrap();
    store.put_network(&network()).unwrap();
    let mut c = container("c1", "one", "172.16.0.10");
    store.put_container(&c).unwrap();
    c.state = ContainerState::Failed;
    store.put_container(&c).unwrap();
    assert!(store.allocations().unwrap().is_empty());
    assert_eq!(store.containers().unwrap()[0].endpoints.len(), 1);
    store.delete_container("c1").unwrap();
    assert!(store.containers().unwrap().is_empty());
    store.delete_network("net-1").unwrap();
    assert!(store.networks().unwrap().is_empty());
}

#[test]
fn double_booking_fails_and_rebuild_follows_records() {
    let store = Store::in_memory().unwrap();
    store.put_container(&container("c1", "one", "172.16.0.10")).unwrap();
    assert!(store.put_container(&container("c2", "two", "172.16.0.10")).is_err());
    assert_eq!(store.containers().unwrap().len(), 1, "the failed write left nothing");
    store.put_container(&container("c2", "two", "172.16.0.11")).unwrap();
    store.rebuild_allocations().unwrap();
    assert_eq!(store.allocations().unwrap().len(), 2);
}

#[test]
fn sessions() {
    let store = Store::in_memory().unwrap();
    let s = Session { user: "admin".into(), expires: 50 };
    store.put_session("h1", &s).unwrap();
    store.put_session("h2", &Session { user: "admin".into(), expires: 500 }).unwrap();
    assert_eq!(store.session("h1").unwrap(), Some(s));
    assert_eq!(store.purge_sessions(100).unwrap(), 1);
    assert_eq!(store.session("h1").unwrap(), None);
    store.delete_session("h2").unwrap();
    assert_eq!(store.session("h2").unwrap(), None);
}
