//! An NFVO killed during an operation: the store holds the operation PROCESSING and its intent
//! log, the sites hold what it had made. These tests write that state directly, then recover.

use std::collections::BTreeMap;

use super::{Setup, SIPP, TIERS};
use crate::ids;
use crate::model::{Nsr, OpOcc, Operation, OperationState, Status, Step};
use crate::store::ResourceKind;
use crate::vim::{ContainerSpec, NetworkSpec, Vims};

/// Records `operation` on `nsr` as begun, without running it.
fn begun(setup: &Setup, nsr: &Nsr, operation: Operation, step: Step) -> OpOcc {
    let op = OpOcc {
        id: ids::new_id(),
        nsr_id: nsr.id.clone(),
        operation,
        state: OperationState::Processing,
        step: Some(step),
        detail: None,
        error: None,
        started: 1,
        entered: 1,
    };
    assert_eq!(setup.nfvo.store().begin_op(&op, nsr).unwrap(), None);
    op
}

#[tokio::test]
async fn an_interrupted_launch_is_rolled_back() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.create(SIPP);
    let short = ids::short(&nsr.id).to_owned();
    let placement = BTreeMap::from([
        ("sipp-client".to_owned(), "a".to_owned()),
        ("sipp-server".to_owned(), "a".to_owned()),
    ]);
    let op = begun(&setup, &nsr, Operation::Instantiate { placement }, Step::Allocate);
    let store = setup.nfvo.store();
    let vim = setup.fake.vim(&store.site("a").unwrap().unwrap());
    let net = format!("private-{short}");
    let pool: ipnet::Ipv4Net = "10.200.0.0/22".parse().unwrap();
    let (seq, subnet) =
        store.add_network(&nsr.id, &op.id, "a", &net, pool.subnets(24).unwrap()).unwrap().unwrap();
    let id =
        vim.create_network(&NetworkSpec { name: net.clone(), subnet, mtu: None }).await.unwrap();
    store.resource_present(seq, &id).unwrap();
    let client = format!("sipp-client-{short}-0");
    let seq = store.add_resource(&nsr.id, &op.id, "a", ResourceKind::Container, &client).unwrap();
    let spec = ContainerSpec {
        name: client,
        image: "img".into(),
        networks: vec![net.clone()],
        addresses: Default::default(),
    };
    let made = vim.create_container(&spec).await.unwrap();
    store.resource_present(seq, &made.id).unwrap();
    // Killed between writing the intent and the call's answer: the site may hold it or not.
    let server = format!("sipp-server-{short}-0");
    store.add_resource(&nsr.id, &op.id, "a", ResourceKind::Container, &server).unwrap();
    let spec = ContainerSpec {
        name: server,
        image: "img".into(),
        networks: vec![net],
        addresses: Default::default(),
    };
    vim.create_container(&spec).await.unwrap();

    let ended = setup.nfvo.recover().await.unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].state, OperationState::RolledBack);
    assert_eq!(ended[0].error.as_ref().unwrap().step, Step::Allocate);
    assert!(setup.fake.is_empty());
    assert!(store.resources_of_nsr(&nsr.id).unwrap().is_empty());
    let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(nsr.status, Status::Error);
    assert!(nsr.error.unwrap().reason.contains("NFVO stopped"));
    assert!(store.ops(Some(OperationState::Processing)).unwrap().is_empty());
    // Nothing is held, so it can be launched again.
    assert_eq!(
        setup.instantiate(&setup.nfvo.nsr(&nsr.id).unwrap(), &[]).await.state,
        OperationState::Completed
    );
}

#[tokio::test]
async fn an_interrupted_terminate_is_finished() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    begun(&setup, &nsr, Operation::Terminate, Step::Delete);
    let store = setup.nfvo.store();
    let held = store.resources_of_nsr(&nsr.id).unwrap();
    let client = held.iter().find(|r| r.name.starts_with("sipp-client")).unwrap();
    store.resources_deleting(&[client.seq]).unwrap();
    let vim = setup.fake.vim(&store.site("a").unwrap().unwrap());
    vim.delete_container(&client.name).await.unwrap();

    let ended = setup.nfvo.recover().await.unwrap();
    assert_eq!(ended[0].state, OperationState::Completed, "{ended:?}");
    assert!(setup.fake.is_empty());
    assert_eq!(setup.nfvo.nsr(&nsr.id).unwrap().status, Status::Terminated);
}

#[tokio::test]
async fn an_interrupted_scale_in_is_finished_and_a_scale_out_undone() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    setup.scale(&nsr, "sipp-client", 3).await;
    let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
    let scale_in =
        Operation::Scale { vnf: "sipp-client".into(), instances: 1, before: 3, site: None };
    begun(&setup, &nsr, scale_in, Step::Delete);
    let ended = setup.nfvo.recover().await.unwrap();
    assert_eq!(ended[0].state, OperationState::Completed, "{ended:?}");
    let after = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(after.status, Status::Active);
    assert_eq!(after.vnfr("sipp-client").unwrap().vnfcs.len(), 1);
    setup.assert_consistent(&nsr.id, &["a"]);

    let scale_out =
        Operation::Scale { vnf: "sipp-client".into(), instances: 2, before: 1, site: None };
    let op = begun(&setup, &after, scale_out, Step::Allocate);
    let name = format!("sipp-client-{}-9", ids::short(&nsr.id));
    let store = setup.nfvo.store();
    store.add_resource(&nsr.id, &op.id, "a", ResourceKind::Container, &name).unwrap();
    let vim = setup.fake.vim(&store.site("a").unwrap().unwrap());
    let net = after.networks[0].name.clone();
    vim.create_container(&ContainerSpec {
        name,
        image: "img".into(),
        networks: vec![net],
        addresses: Default::default(),
    })
    .await
    .unwrap();
    let ended = setup.nfvo.recover().await.unwrap();
    assert_eq!(ended[0].state, OperationState::RolledBack, "{ended:?}");
    assert_eq!(setup.names("a").len(), 2);
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn a_scale_out_stopped_while_it_made_a_target_again_leaves_the_target_as_it_was() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(SIPP).await;
    let short = ids::short(&nsr.id).to_owned();
    let client = format!("sipp-client-{short}-0");
    let before = setup.fake.container("a", &client).unwrap();
    let scale_out =
        Operation::Scale { vnf: "sipp-server".into(), instances: 2, before: 1, site: None };
    let op = begun(&setup, &nsr, scale_out, Step::Delete);
    // The new server is made; the client, re-created with the list of both, got its new
    // metadata recorded and its container deleted when the NFVO stopped.
    let store = setup.nfvo.store();
    let vim = setup.fake.vim(&store.site("a").unwrap().unwrap());
    let server = format!("sipp-server-{short}-1");
    let seq = store.add_resource(&nsr.id, &op.id, "a", ResourceKind::Container, &server).unwrap();
    let spec = ContainerSpec {
        name: server,
        image: "img".into(),
        networks: vec![nsr.networks[0].name.clone()],
        addresses: Default::default(),
    };
    let made = vim.create_container(&spec).await.unwrap();
    store.resource_present(seq, &made.id).unwrap();
    let mut record = setup.nfvo.nsr(&nsr.id).unwrap();
    let vnfc = record.vnfrs.iter_mut().flat_map(|r| r.vnfcs.iter_mut()).find(|v| v.name == client);
    let vnfc = vnfc.unwrap();
    vnfc.metadata.insert("SIPP_SERVER_PRIVATE_LIST".into(), "10.0.0.1,10.0.0.2".into());
    vnfc.recreating = true;
    store.put_nsr(&record).unwrap();
    vim.delete_container(&client).await.unwrap();

    let ended = setup.nfvo.recover().await.unwrap();
    assert_eq!(ended[0].state, OperationState::RolledBack, "{ended:?}");
    let restored = setup.fake.container("a", &client).expect("the client is made again");
    assert_eq!(restored.status, "RUNNING");
    assert_eq!(restored.env, before.env);
    assert_eq!(setup.names("a").len(), 2);
    setup.assert_consistent(&nsr.id, &["a"]);
}

#[tokio::test]
async fn a_scale_in_stopped_while_its_site_deleted_a_target_makes_the_target_again() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(TIERS.as_bytes()).await;
    let short = ids::short(&nsr.id).to_owned();
    let op = setup.scale(&nsr, "db", 3).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let app = format!("app-{short}-0");
    let three_dbs = setup.fake.container("a", &app).unwrap();
    // Scaled in to 2: the third db went and app's re-creation began (its record took the
    // list of two, then the NFVO stopped), while its site still shows the old app running:
    // the delete the NFVO sent is still stopping it.
    let mut record = setup.nfvo.nsr(&nsr.id).unwrap();
    let scale_in = Operation::Scale { vnf: "db".into(), instances: 2, before: 3, site: None };
    begun(&setup, &record, scale_in, Step::Delete);
    let db = format!("db-{short}-2");
    let store = setup.nfvo.store();
    let row = store.resources_of_nsr(&nsr.id).unwrap().into_iter().find(|r| r.name == db);
    store.remove_resource(row.unwrap().seq).unwrap();
    let vim = setup.fake.vim(&store.site("a").unwrap().unwrap());
    vim.delete_container(&db).await.unwrap();
    record.vnfrs.iter_mut().for_each(|r| r.vnfcs.retain(|v| v.name != db));
    // Two dbs, as at launch: what the scale in gives app, and what its record took.
    let two_dbs = nsr.vnfr("app").unwrap().metadata.clone();
    let vnfc = record.vnfrs.iter_mut().flat_map(|r| r.vnfcs.iter_mut()).find(|v| v.name == app);
    let vnfc = vnfc.unwrap();
    vnfc.metadata = two_dbs;
    vnfc.recreating = true;
    store.put_nsr(&record).unwrap();

    let ended = setup.nfvo.recover().await.unwrap();
    assert_eq!(ended[0].state, OperationState::Completed, "{ended:?}");
    let after = setup.fake.container("a", &app).expect("app");
    assert_eq!(after.status, "RUNNING");
    assert_ne!(after.id, three_dbs.id, "app was not made again");
    let dbs = after.env.as_ref().unwrap()["DB_BACK_LIST"].split(',').count();
    assert_eq!(dbs, 2);
    assert!(!setup.nfvo.nsr(&nsr.id).unwrap().vnfcs().any(|(_, v)| v.recreating));
    setup.assert_consistent(&nsr.id, &["a"]);
}
