use std::collections::BTreeMap;

use super::*;
use crate::model::{
    Failure, NsdDocument, NsdRecord, Nsr, OpOcc, Operation, OperationState, Site, Status, Step,
};

fn nsr(id: &str) -> Nsr {
    Nsr {
        id: id.to_owned(),
        name: "ns".to_owned(),
        description: String::new(),
        nsd_id: "nsd-1".to_owned(),
        nsd_name: "sipp".to_owned(),
        status: Status::Null,
        error: None,
        vnfrs: Vec::new(),
        networks: Vec::new(),
        extensions: Vec::new(),
        created: 1,
        health: Default::default(),
        alarms: Vec::new(),
        auto_heal: false,
        auto_heals: 0,
    }
}

fn op(id: &str, nsr_id: &str) -> OpOcc {
    OpOcc {
        id: id.to_owned(),
        nsr_id: nsr_id.to_owned(),
        operation: Operation::Instantiate { placement: BTreeMap::from([("a".into(), "s".into())]) },
        state: OperationState::Processing,
        step: None,
        detail: None,
        error: None,
        started: 1,
        entered: 1,
    }
}

#[test]
fn nsds_keep_their_content() {
    let store = Store::in_memory().unwrap();
    let document = NsdDocument {
        name: "sipp".into(),
        vendor: "v".into(),
        version: "1".into(),
        content: b"{\"name\": \"sipp\",}".to_vec(),
    };
    let record = NsdRecord {
        id: "n1".into(),
        onboarded: 5,
        enabled: true,
        user_data: None,
        document: Some(document.clone()),
    };
    store.insert_nsd(&record).unwrap();
    assert_eq!(store.nsd("n1").unwrap(), Some(record.clone()));
    assert_eq!(store.nsds().unwrap(), vec![record]);
    assert!(store.delete_nsd("n1").unwrap());
    assert!(!store.delete_nsd("n1").unwrap());

    // SOL005's two steps: made empty and disabled, then given its document once.
    let empty = NsdRecord {
        id: "n2".into(),
        onboarded: 6,
        enabled: false,
        user_data: Some("{\"a\":1}".into()),
        document: None,
    };
    store.insert_nsd(&empty).unwrap();
    assert_eq!(store.nsd("n2").unwrap(), Some(empty.clone()));
    assert!(store.upload_nsd("n2", &document).unwrap());
    assert!(!store.upload_nsd("n2", &document).unwrap(), "a document is given once");
    let onboarded = store.nsd("n2").unwrap().unwrap();
    assert_eq!(onboarded.document, Some(document));
    assert!(onboarded.enabled);
    assert!(store.modify_nsd("n2", false, None).unwrap());
    let modified = store.nsd("n2").unwrap().unwrap();
    assert!(!modified.enabled);
    assert_eq!(modified.user_data, None);
}

#[test]
fn a_site_name_is_registered_once() {
    let store = Store::in_memory().unwrap();
    let site = Site {
        name: "a".into(),
        pop_endpoint: "http://127.0.0.1:1".into(),
        username: "admin".into(),
        password: "pw".into(),
        agent_endpoint: Some("http://127.0.0.1:2".into()),
        agent_token: Some("token".into()),
        tunnel_mtu: Some(1450),
        added: 1,
    };
    assert!(store.insert_site(&site).unwrap());
    assert!(!store.insert_site(&site).unwrap());
    assert_eq!(store.site("a").unwrap(), Some(site));
    assert!(store.delete_site("a").unwrap());
    assert!(store.sites().unwrap().is_empty());
}

#[test]
fn short_ids_are_unique() {
    let store = Store::in_memory().unwrap();
    assert!(store.insert_nsr(&nsr("aaaaaaaa-1")).unwrap());
    assert!(!store.insert_nsr(&nsr("aaaaaaaa-2")).unwrap());
    assert_eq!(store.nsr_of_nsd("nsd-1").unwrap().as_deref(), Some("aaaaaaaa-1"));
}

#[test]
fn one_operation_at_a_time_per_nsr() {
    let store = Store::in_memory().unwrap();
    let mut record = nsr("aaaaaaaa-1");
    store.insert_nsr(&record).unwrap();
    record.status = Status::Initialized;
    assert_eq!(store.begin_op(&op("o1", &record.id), &record).unwrap(), None);
    assert_eq!(store.nsr(&record.id).unwrap().unwrap().status, Status::Initialized);
    assert_eq!(store.begin_op(&op("o2", &record.id), &record).unwrap().as_deref(), Some("o1"));

    let mut first = store.op("o1").unwrap().unwrap();
    first.state = OperationState::Failed;
    first.error = Some(Failure { step: Step::Allocate, reason: "no image".into() });
    store.put_op(&first).unwrap();
    assert_eq!(store.op("o1").unwrap(), Some(first));
    assert!(store.ops(Some(OperationState::Processing)).unwrap().is_empty());
    assert_eq!(store.begin_op(&op("o2", &record.id), &record).unwrap(), None);
    assert_eq!(store.ops(None).unwrap().len(), 2);
}

#[test]
fn the_intent_log_follows_objects_and_subnets() {
    let store = Store::in_memory().unwrap();
    let pool: ipnet::Ipv4Net = "10.200.0.0/23".parse().unwrap();
    let (n1, s1) =
        store.add_network("r", "o", "a", "private-r", pool.subnets(24).unwrap()).unwrap().unwrap();
    let (_, s2) =
        store.add_network("r", "o", "b", "private-r", pool.subnets(24).unwrap()).unwrap().unwrap();
    assert_eq!(
        (s1.to_string().as_str(), s2.to_string().as_str()),
        ("10.200.0.0/24", "10.200.1.0/24")
    );
    assert_eq!(
        store.add_network("r", "o", "c", "private-r", pool.subnets(24).unwrap()).unwrap(),
        None
    );
    let c1 = store.add_resource("r", "o", "a", ResourceKind::Container, "web-r-0").unwrap();
    store.resource_present(c1, "pop-1").unwrap();
    assert_eq!(store.nsr_on_site("a").unwrap().as_deref(), Some("r"));

    let held = store.resources_of_nsr("r").unwrap();
    assert_eq!(held.len(), 3);
    assert_eq!(held[2].pop_id.as_deref(), Some("pop-1"));
    assert_eq!(held[2].state, ResourceState::Present);
    store.resources_deleting(&[n1]).unwrap();
    assert_eq!(store.resources_of_op("o").unwrap()[0].state, ResourceState::Deleting);
    store.remove_resource(n1).unwrap();
    // The freed subnet is handed out again.
    let (_, again) =
        store.add_network("r", "o", "c", "private-r", pool.subnets(24).unwrap()).unwrap().unwrap();
    assert_eq!(again, s1);
}

#[test]
fn records_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.insert_nsr(&nsr("bbbbbbbb-1")).unwrap();
        store.add_resource("bbbbbbbb-1", "o", "a", ResourceKind::Container, "x").unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.nsrs().unwrap().len(), 1);
    assert_eq!(store.resources_of_nsr("bbbbbbbb-1").unwrap().len(), 1);
}

#[test]
fn tokens_expire_and_go_with_their_user_who_is_never_the_last_admin() {
    let store = Store::in_memory().unwrap();
    let user = |name: &str, role| UserRecord {
        name: name.into(),
        password_hash: "$argon2id$x".into(),
        role,
        created: 1,
    };
    assert!(store.no_users().unwrap());
    assert!(store.insert_user(&user("root", crate::model::Role::Admin)).unwrap());
    assert!(!store.insert_user(&user("root", crate::model::Role::Reader)).unwrap());
    assert!(store.insert_user(&user("bob", crate::model::Role::Reader)).unwrap());
    store.insert_token("h1", "bob", 100, 50).unwrap();
    assert_eq!(store.token_user("h1", 99).unwrap().map(|u| u.0).as_deref(), Some("bob"));
    assert_eq!(store.token_user("h1", 100).unwrap(), None, "expired");
    store.insert_token("h2", "bob", 300, 200).unwrap();
    assert_eq!(store.token_user("h1", 0).unwrap(), None, "forgotten at the next login");
    assert_eq!(store.delete_user("root").unwrap(), UserDeleted::LastAdmin);
    assert_eq!(store.delete_user("bob").unwrap(), UserDeleted::Deleted);
    assert_eq!(store.token_user("h2", 250).unwrap(), None, "the user's tokens went with it");
    assert_eq!(store.delete_user("bob").unwrap(), UserDeleted::NotFound);
}
