//! Joins that fail half-way at a participant: what the site made is removed by the leave its
//! master sends, the network the join made included.

use std::sync::atomic::Ordering;

use archipel_ipam::Pool;

use super::{members, no_tunnels, request};
use crate::model::ServiceType;
use crate::testing::world::world;

const THREE: &[(&str, &str)] = &[("a", "net"), ("b", "net"), ("c", "net")];

#[tokio::test]
async fn a_join_whose_network_create_went_unanswered_is_undone_with_the_network() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let (a, c) = (&sites["a"].agent, &sites["c"].agent);
    // c's popd makes the network and dies before it answers: c's join fails.
    sites["c"].vim.lost_creates.store(true, Ordering::Relaxed);
    a.create(request(ServiceType::L2, THREE)).await.unwrap_err();
    sites["c"].vim.lost_creates.store(false, Ordering::Relaxed);
    assert!(sites["c"].vim.get("net").is_none(), "the network c's join made stays");
    for site in sites.values() {
        assert!(site.agent.list().unwrap().is_empty());
        assert!(no_tunnels(site).await);
    }
    assert!(a.store.tombstones().unwrap().is_empty());
    let service = a.create(request(ServiceType::L2, THREE)).await.unwrap();
    assert_eq!(c.store.pending_join(&service.global_id).unwrap(), None);
    assert!(c.get(&service.global_id).unwrap().resource_of("c").unwrap().created);
}

#[tokio::test]
async fn a_newcomer_whose_join_failed_and_that_cannot_be_told_to_leave_leaves_later() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let a = &sites["a"].agent;
    let two = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let id = a.create(two).await.unwrap().global_id;
    sites["c"].vim.lost_creates.store(true, Ordering::Relaxed);
    peers.failing_leave.lock().unwrap().insert("c".into());
    a.update(&id, members(THREE)).await.unwrap_err();
    sites["c"].vim.lost_creates.store(false, Ordering::Relaxed);
    assert!(sites["c"].vim.get("net").is_some(), "c left at once");
    assert_eq!(a.store.tombstones().unwrap(), vec![(id.clone(), "c".to_owned())]);
    peers.failing_leave.lock().unwrap().clear();
    a.converge().await.unwrap();
    assert!(sites["c"].vim.get("net").is_none(), "the network c's join made stays");
    assert!(no_tunnels(&sites["c"]).await);
    assert!(a.store.tombstones().unwrap().is_empty());
    assert_eq!(sites["c"].agent.store.pending_join(&id).unwrap(), None);
    assert_eq!(a.get(&id).unwrap().sites(), ["a", "b"]);
    // c may join again.
    a.update(&id, members(THREE)).await.unwrap();
}

#[tokio::test]
async fn an_extension_hands_out_only_the_master_s_pools() {
    use crate::vim::SiteVim;
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    // The top of the subnet is the VIM's own (Swarm's endpoints), out of the pools.
    let own: Pool = "10.0.0.2-10.0.0.251".parse().unwrap();
    sites["a"].vim.update_network("net", Some(vec![own]), None).await.unwrap();
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let service = sites["a"].agent.create(req).await.unwrap();
    let p = &service.params;
    let handed = p.pools.values().flatten().chain(p.reserve.iter().flatten());
    for pool in handed {
        assert!(own.contains(pool.first) && own.contains(pool.last), "{pool} handed out");
    }
}
