//! `kill -9` of popd with 20 RUNNING and 5 CREATED containers, then a restart: all 25 are listed
//! with the same ids, states and addresses; the Docker containers kept their ids and start
//! times; a Docker container labelled by Archipel but unknown to the store is removed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::{docker, docker_ok};
use pb::container::Status;

use crate::harness::{address, authed, by_name, config, Site, IMAGE};

fn docker_identity(name: &str) -> String {
    docker(&["inspect", "-f", "{{.Id}} {{.State.StartedAt}} {{.State.Running}}", name])
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_and_restart_readopts_everything_and_removes_orphans() {
    let mut site = Site::docker(&[]);
    let net = site.popd.default_network.clone();
    let (mut c, token) = site.login().await;

    let mut before = BTreeMap::new();
    for i in 0..25 {
        let name = site.name(&format!("r{i}"));
        c.create(authed(&token, config(&name, IMAGE, &[]))).await.expect("create");
        if i < 20 {
            c.start(authed(&token, by_name(&name))).await.expect("start");
        }
    }
    for ct in c.containers(authed(&token, pb::Filter::default())).await.unwrap().into_inner().list {
        before.insert(ct.id.clone(), (ct.names.clone(), ct.status(), address(&ct, &net)));
    }
    let docker_before: BTreeMap<String, String> = (0..20)
        .map(|i| site.name(&format!("r{i}")))
        .map(|n| (n.clone(), docker_identity(&n)))
        .collect();

    site.popd.kill9();

    // An orphan: labelled as this instance's, unknown to its store.
    let orphan = site.name("orphan");
    let label = format!("archipel.popd={}", site.popd.name);
    docker(&[
        "run",
        "-d",
        "--name",
        &orphan,
        "--label",
        &label,
        "--label",
        "archipel.pop-id=ffffffff",
        "--network",
        "none",
        IMAGE,
    ]);

    site.popd.restart();
    let (mut c, token) = site.login().await;

    let mut after = BTreeMap::new();
    for ct in c.containers(authed(&token, pb::Filter::default())).await.unwrap().into_inner().list {
        after.insert(ct.id.clone(), (ct.names.clone(), ct.status(), address(&ct, &net)));
    }
    assert_eq!(before, after, "the registry changed across kill -9");
    assert_eq!(after.values().filter(|v| v.1 == Status::Running).count(), 20);
    assert_eq!(after.values().filter(|v| v.1 == Status::Created).count(), 5);
    for (name, identity) in &docker_before {
        assert_eq!(&docker_identity(name), identity, "{name} was restarted or replaced");
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    while docker_ok(&["inspect", &orphan]) {
        assert!(Instant::now() < deadline, "the orphan container was not removed");
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
