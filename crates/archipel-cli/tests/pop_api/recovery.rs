//! `kill -9` of popd with 20 RUNNING and 5 CREATED containers, then a restart: all 25 are listed
//! with the same ids, states and addresses; the workloads kept their identity (Docker ids and
//! start times; native pids and start times); a workload or namespace marked as this popd's but
//! unknown to its store is removed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::PopdRuntime;
use pb::container::Status;

use crate::harness::{address, authed, by_name, config, Site, IMAGE};

crate::on_both_runtimes!(kill9_and_restart_readopts_everything_and_removes_orphans);

async fn kill9_and_restart_readopts_everything_and_removes_orphans(rt: PopdRuntime) {
    let mut site = Site::new(rt, &[]);
    let net = site.popd.default_network.clone();
    let (mut c, token) = site.login().await;

    for i in 0..25 {
        let name = site.name(&format!("r{i}"));
        c.create(authed(&token, config(&name, IMAGE, &[]))).await.expect("create");
        if i < 20 {
            c.start(authed(&token, by_name(&name))).await.expect("start");
        }
    }
    let mut before = BTreeMap::new();
    for ct in c.containers(authed(&token, pb::Filter::default())).await.unwrap().into_inner().list {
        before.insert(ct.id.clone(), (ct.names.clone(), ct.status(), address(&ct, &net)));
    }
    let identities = |site: &Site| -> BTreeMap<String, String> {
        before
            .values()
            .filter(|v| v.1 == Status::Running)
            .map(|(names, _, addr)| (names[0].clone(), site.identity(&names[0], addr)))
            .collect()
    };
    let identity_before = identities(&site);
    assert_eq!(identity_before.len(), 20);

    site.popd.kill9();
    let orphan_gone = site.make_orphan();
    site.popd.restart();
    let (mut c, token) = site.login().await;

    let mut after = BTreeMap::new();
    for ct in c.containers(authed(&token, pb::Filter::default())).await.unwrap().into_inner().list {
        after.insert(ct.id.clone(), (ct.names.clone(), ct.status(), address(&ct, &net)));
    }
    assert_eq!(before, after, "the registry changed across kill -9");
    assert_eq!(after.values().filter(|v| v.1 == Status::Running).count(), 20);
    assert_eq!(after.values().filter(|v| v.1 == Status::Created).count(), 5);
    assert_eq!(identities(&site), identity_before, "a workload was restarted or replaced");

    let deadline = Instant::now() + Duration::from_secs(30);
    while !orphan_gone() {
        assert!(Instant::now() < deadline, "the orphan was not removed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // No address is double-booked: a new container gets one nobody holds.
    let held: BTreeSet<String> = after.values().map(|v| v.2.clone()).collect();
    let fresh = c
        .create(authed(&token, config(&site.name("fresh"), IMAGE, &[])))
        .await
        .expect("create")
        .into_inner();
    assert!(!held.contains(&address(&fresh, &net)));
}
