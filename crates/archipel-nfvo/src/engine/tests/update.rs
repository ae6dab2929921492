//! NS update: a VNF's configuration changed, its instances and those that take a changed
//! parameter re-created with it, the others left running.

use std::collections::BTreeMap;

use super::{Setup, TIERS};
use crate::ids;
use crate::model::{OperationState, Status};
use crate::NfvoError;

fn changes(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned))).collect()
}

#[tokio::test]
async fn a_changed_parameter_reaches_the_vnf_and_its_targets_only() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(TIERS.as_bytes()).await;
    let short = ids::short(&nsr.id).to_owned();
    let container = |name: &str| setup.fake.container("a", &format!("{name}-{short}-0")).unwrap();
    let (db, app, web) = (container("db"), container("app"), container("web"));

    let op = setup.nfvo.update(&nsr.id, "db", changes(&[("port", Some("6543"))])).unwrap();
    let op = setup.nfvo.wait(&op.id).await.unwrap();
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let updated = setup.nfvo.nsr(&nsr.id).unwrap();
    assert_eq!(updated.status, Status::Active);
    assert_eq!(updated.vnfr("db").unwrap().configuration["port"], "6543");

    // The VNF's instances and the target that takes `port` are new containers with the new
    // value, under the same names and addresses; the rest runs on untouched.
    let (db2, app2, web2) = (container("db"), container("app"), container("web"));
    assert_ne!(db2.id, db.id);
    assert_eq!(db2.addresses, db.addresses);
    assert_eq!(db2.env.as_ref().unwrap()["port"], "6543");
    assert_eq!(db2.status, "RUNNING");
    assert_ne!(app2.id, app.id);
    assert_eq!(app2.env.as_ref().unwrap()["DB_PORT"], "6543");
    assert_eq!(app2.env.as_ref().unwrap()["APP_MODE"], "fast");
    assert_eq!(web2.id, web.id);
    setup.assert_consistent(&nsr.id, &["a"]);

    // A scale-out keeps the change; null gives the descriptor's value back.
    let op = setup.scale(&updated, "db", 3).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let newest = setup.fake.container("a", &format!("db-{short}-2")).unwrap();
    assert_eq!(newest.env.unwrap()["port"], "6543");
    let op = setup.nfvo.update(&nsr.id, "db", changes(&[("port", None)])).unwrap();
    let op = setup.nfvo.wait(&op.id).await.unwrap();
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert_eq!(container("db").env.unwrap()["port"], "5432");
    assert_eq!(container("app").env.unwrap()["DB_PORT"], "5432");
    assert!(setup.nfvo.nsr(&nsr.id).unwrap().vnfr("db").unwrap().configuration.is_empty());
}

#[tokio::test]
async fn bad_updates_are_refused_before_anything_changes() {
    let setup = Setup::new(&["a"]).await;
    let nsr = setup.launch(TIERS.as_bytes()).await;
    let refused = |vnf: &str, c: BTreeMap<String, Option<String>>| match setup
        .nfvo
        .update(&nsr.id, vnf, c)
        .unwrap_err()
    {
        NfvoError::InvalidRequest { reason } => reason,
        other => panic!("{other:?}"),
    };
    assert!(refused("nope", changes(&[("A", Some("1"))])).contains("has no VNF nope"));
    assert!(refused("db", changes(&[])).contains("nothing to change"));
    assert!(refused("db", changes(&[("1A", Some("1"))])).contains("environment variable"));
    assert!(refused("db", changes(&[("A", Some("x\ny"))])).contains("no newline"));
    let many: Vec<(String, Option<String>)> = (0..65).map(|i| (format!("K{i}"), None)).collect();
    assert!(refused("db", many.into_iter().collect()).contains("at most 64"));

    let op = setup.terminate(&nsr).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let err = setup.nfvo.update(&nsr.id, "db", changes(&[("A", Some("1"))])).unwrap_err();
    assert!(matches!(err, NfvoError::WrongStatus { .. }), "{err:?}");
}
