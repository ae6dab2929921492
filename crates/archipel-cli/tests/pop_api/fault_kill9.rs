//! Fault suite, point 1: `kill -9` of popd while 50 Creates (and 10 Deletes) are in flight,
//! round after round (`ARCHIPEL_FAULT_ROUNDS`; by default 20 on the native runtime and 6 on
//! Docker, whose starts are slow; `scripts/soak.sh` runs more).
//! After each restart: every acknowledged Create is listed with the address it was given,
//! every acknowledged Delete is gone, no address is held twice, and the runtime holds a
//! workload for exactly the running containers (no orphan). A summary line gives the figures.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::PopdRuntime;
use futures::future::join_all;
use pb::container::Status;

use crate::harness::{address, authed, by_name, config, fault_rounds, Site, IMAGE};

const CREATES: usize = 50;
const STARTED: usize = 10;

crate::on_both_runtimes!(kill9_during_creates_loses_nothing_acknowledged);

fn rounds(rt: PopdRuntime) -> usize {
    fault_rounds(if rt == PopdRuntime::Docker { 6 } else { 20 })
}

async fn kill9_during_creates_loses_nothing_acknowledged(rt: PopdRuntime) {
    let mut site = Site::new(rt, &[]);
    let net = site.popd.default_network.clone();
    let (mut sent, mut acknowledged, mut deletes_acknowledged) = (0, 0, 0);
    for round in 0..rounds(rt) {
        let (mut c, token) = site.login().await;
        // Running containers to delete while the Creates are in flight.
        let mut running = Vec::new();
        for i in 0..STARTED {
            let name = site.name(&format!("k{round}-s{i}"));
            c.create(authed(&token, config(&name, IMAGE, &[]))).await.expect("create");
            c.start(authed(&token, by_name(&name))).await.expect("start");
            running.push(name);
        }
        let creates = (0..CREATES).map(|i| {
            let (mut c, token) = (c.clone(), token.clone());
            let name = site.name(&format!("k{round}-c{i}"));
            async move {
                let reply = c.create(authed(&token, config(&name, IMAGE, &[]))).await;
                (name, reply.map(|r| r.into_inner()))
            }
        });
        let deletes = running.iter().map(|name| {
            let (mut c, token, name) = (c.clone(), token.clone(), name.clone());
            async move { (name.clone(), c.delete(authed(&token, by_name(&name))).await.is_ok()) }
        });
        let in_flight = futures::future::join(join_all(creates), join_all(deletes));
        let killer = async {
            // A different moment of the burst each round.
            let delay = (round * 7919) % 120;
            tokio::time::sleep(Duration::from_millis(delay as u64)).await;
            site.popd.kill9();
        };
        let ((created, deleted), ()) = futures::future::join(in_flight, killer).await;
        site.popd.restart();
        sent += CREATES;

        let (mut c, token) = site.login().await;
        let listed: BTreeMap<String, pb::Container> = c
            .containers(authed(&token, pb::Filter::default()))
            .await
            .expect("list after the restart")
            .into_inner()
            .list
            .into_iter()
            .map(|ct| (ct.names[0].clone(), ct))
            .collect();
        for (name, reply) in &created {
            if let Ok(ct) = reply {
                acknowledged += 1;
                let after =
                    listed.get(name).unwrap_or_else(|| panic!("round {round}: {name} lost"));
                assert_eq!(address(after, &net), address(ct, &net), "round {round}: {name}");
            }
        }
        for (name, ok) in &deleted {
            if *ok {
                deletes_acknowledged += 1;
                assert!(!listed.contains_key(name), "round {round}: deleted {name} came back");
            }
        }
        // An ended container (a Delete cut half-way stops the workload first) holds none.
        let addresses: Vec<&str> = listed
            .values()
            .filter_map(|ct| ct.endpoints.get(&net)?.ipv4.as_ref().map(|ip| ip.address.as_str()))
            .collect();
        let unique: BTreeSet<&&str> = addresses.iter().collect();
        assert_eq!(unique.len(), addresses.len(), "round {round}: an address is held twice");
        // Running containers have a workload; ended ones may keep theirs (Docker keeps a stopped
        // container); no other workload may stay.
        let running = listed.values().filter(|ct| ct.status() == Status::Running).count();
        let made = listed.values().filter(|ct| ct.status() != Status::Created).count();
        wait_for_workloads(&site, running..=made, round).await;

        // A clean slate for the next round.
        for name in listed.keys() {
            c.delete(authed(&token, by_name(name))).await.expect("delete");
        }
        wait_for_workloads(&site, 0..=0, round).await;
    }
    println!(
        "fault popd-kill9 ({rt:?}): rounds {}, kills {}, creates sent {sent}, acknowledged \
         {acknowledged}, deletes acknowledged {deletes_acknowledged}, lost 0, duplicate \
         addresses 0, orphans 0",
        rounds(rt),
        rounds(rt)
    );
}

/// Waits until the number of workloads of this popd in the runtime is in `want`: a restarted
/// popd removes orphans in its first reconcile pass.
async fn wait_for_workloads(site: &Site, want: RangeInclusive<usize>, round: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let have = site.workloads();
        if want.contains(&have) {
            return;
        }
        assert!(Instant::now() < deadline, "round {round}: {have} workloads, expected {want:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
