//! A workload that exits 0 becomes EXITED, one that exits non-zero FAILED, as seen through
//! Containers and through Watch; its addresses are free again.

use archipel_testkit::PopdRuntime;
use std::collections::BTreeMap;
use std::time::Duration;

use archipel_proto::v1 as pb;
use futures::StreamExt;
use pb::container::Status;

use crate::harness::{address, authed, by_name, config, metadata, Site, IMAGE};

crate::on_both_runtimes!(exit_codes_set_final_states_seen_by_containers_and_watch);

async fn exit_codes_set_final_states_seen_by_containers_and_watch(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let net = site.popd.default_network.clone();
    let (mut c, token) = site.login().await;
    let (ok, bad) = (site.name("ok"), site.name("bad"));

    let mut watch =
        c.watch(authed(&token, pb::Filter::default())).await.expect("watch").into_inner();

    let mut addrs = BTreeMap::new();
    for (name, cmd) in [(&ok, "sleep 1; exit 0"), (&bad, "sleep 1; exit 3")] {
        let created =
            c.create(authed(&token, config(name, IMAGE, &[]))).await.expect("create").into_inner();
        addrs.insert(name.clone(), address(&created, &net));
        c.metadata(authed(
            &token,
            pb::NewMetadata { filter: Some(by_name(name)), md: metadata(&[("CMD", cmd)]) },
        ))
        .await
        .expect("metadata");
        c.start(authed(&token, by_name(name))).await.expect("start");
    }

    let exited = site.wait_status(&token, &ok, Status::Exited).await;
    assert_eq!(exited.exit_code, Some(0));
    let failed = site.wait_status(&token, &bad, Status::Failed).await;
    assert_eq!(failed.exit_code, Some(3));

    // Watch saw both final states.
    let mut finals = BTreeMap::new();
    let seen = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(ev) = watch.next().await {
            let ct = ev.expect("watch event").container.expect("container in event");
            let name = ct.names.first().cloned().unwrap_or_default();
            if matches!(ct.status(), Status::Exited | Status::Failed) {
                finals.insert(name, ct.status());
            }
            if finals.len() == 2 {
                break;
            }
        }
    })
    .await;
    assert!(seen.is_ok(), "watch did not report both final states: {finals:?}");
    assert_eq!(finals.get(&ok), Some(&Status::Exited));
    assert_eq!(finals.get(&bad), Some(&Status::Failed));

    // Their addresses are free again: new containers may take exactly them.
    for (name, addr) in &addrs {
        let again = format!("{name}-again");
        c.create(authed(&token, config(&again, IMAGE, &[(&net, addr)])))
            .await
            .expect("address freed");
    }

    // A final state allows only Delete.
    let err = c.start(authed(&token, by_name(&ok))).await.expect_err("start of final");
    assert_eq!(err.code(), tonic::Code::FailedPrecondition);
}
