//! Changing the sites of a live L2 extension: a newcomer joins with a reserve block, a
//! departing site leaves and its block returns, and the sites that stay only change their flood
//! entries.

use archipel_netlink::Netlink;

use super::{members, no_tunnels, ns, request};
use crate::model::{ServiceType, UpdateRequest};
use crate::testing::world::world;

#[tokio::test]
async fn a_site_added_joins_with_a_reserve_block_and_the_others_only_add_a_flood_entry() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let before = sites["a"].agent.create(request(ServiceType::L2, &[("a", "net"), ("b", "net")]));
    let before = before.await.unwrap();
    let id = before.global_id.as_str();
    for s in ["a", "b"] {
        sites[s].nl.take_calls();
    }

    let all = members(&[("a", "net"), ("b", "net"), ("c", "net")]);
    let reply = sites["a"].agent.update(id, all).await.unwrap();
    assert!(reply.pending.is_empty(), "{:?}", reply.pending);
    let p = &reply.service.params;
    assert_eq!(p.pools["c"], before.params.reserve[0]);
    assert_eq!(p.reserve, before.params.reserve[1..]);
    assert_eq!(p.underlays["c"], sites["c"].underlay);
    assert_eq!(reply.service.sites(), ["a", "b", "c"]);

    let c = &sites["c"];
    assert_eq!(c.vim.get("net").unwrap().pools, p.pools["c"]);
    let others = vec![sites["a"].underlay, sites["b"].underlay];
    assert_eq!(c.nl.fdb_flood_list(ns(c), "vx1000").await.unwrap(), others);
    assert!(c.agent.get(id).unwrap().resource_of("c").unwrap().created);
    for s in ["a", "b"] {
        // Nothing but one more flood entry: the tunnel and the bridge are left alone.
        let added = format!("fdb_flood_add site-{s} vx1000 {}", c.underlay);
        assert_eq!(sites[s].nl.take_calls(), [added]);
        // Only the master keeps the reserve.
        let kept = if s == "a" { reply.service.clone() } else { reply.service.view() };
        assert_eq!(sites[s].agent.get(id).unwrap().params, kept.params);
    }
    assert!(c.agent.get(id).unwrap().params.reserve.is_empty());
}

#[tokio::test]
async fn a_site_removed_leaves_and_its_block_returns_to_the_reserve() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let all = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let before = sites["a"].agent.create(all).await.unwrap();
    let id = before.global_id.as_str();
    for s in ["a", "b"] {
        sites[s].nl.take_calls();
    }

    let reply = sites["a"].agent.update(id, members(&[("a", "net"), ("b", "net")])).await.unwrap();
    assert!(reply.pending.is_empty(), "{:?}", reply.pending);
    let p = &reply.service.params;
    assert!(!p.pools.contains_key("c") && !p.underlays.contains_key("c"));
    assert_eq!(p.reserve.last(), Some(&before.params.pools["c"]));
    assert_eq!(p.reserve.len(), before.params.reserve.len() + 1);

    let c = &sites["c"];
    assert!(c.agent.list().unwrap().is_empty());
    assert!(c.vim.get("net").is_none());
    assert!(no_tunnels(c).await);
    assert!(c.agent.vni_free(1000).unwrap().free);
    for s in ["a", "b"] {
        let dropped = format!("fdb_flood_del site-{s} vx1000 {}", c.underlay);
        assert_eq!(sites[s].nl.take_calls(), [dropped]);
        assert_eq!(sites[s].agent.get(id).unwrap().sites(), ["a", "b"]);
    }
    // Convergence does not bring the departed site back.
    sites["a"].agent.converge().await.unwrap();
    assert!(c.agent.list().unwrap().is_empty());
    assert!(sites["a"].agent.store.tombstones().unwrap().is_empty());
}

#[tokio::test]
async fn a_departing_site_that_cannot_be_reached_is_pending_and_leaves_once_it_answers() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let all = [("a", "net"), ("b", "net"), ("c", "net")];
    let id = sites["a"].agent.create(request(ServiceType::L2, &all)).await.unwrap().global_id;

    peers.down.lock().unwrap().insert("c".into());
    let reply = sites["a"].agent.update(&id, members(&all[..2])).await.unwrap();
    assert_eq!(reply.pending, ["c"]);
    assert_eq!(reply.service.sites(), ["a", "b"]);
    let b = &sites["b"];
    assert_eq!(b.nl.fdb_flood_list(ns(b), "vx1000").await.unwrap(), [sites["a"].underlay]);
    // Cut off, c keeps its share; it cannot come back before it has left.
    assert!(sites["c"].agent.get(&id).is_ok());
    peers.down.lock().unwrap().clear();
    let err = sites["a"].agent.update(&id, members(&all)).await.unwrap_err().to_string();
    assert!(err.contains("site c has not left"), "{err}");

    sites["a"].agent.converge().await.unwrap();
    assert!(sites["c"].agent.list().unwrap().is_empty());
    assert!(sites["c"].vim.get("net").is_none());
    assert!(no_tunnels(&sites["c"]).await);
    assert!(sites["a"].agent.store.tombstones().unwrap().is_empty());
    let back = sites["a"].agent.update(&id, members(&all)).await.unwrap();
    assert_eq!(back.service.sites(), ["a", "b", "c"]);
}

#[tokio::test]
async fn a_view_older_than_the_one_held_is_ignored() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let all = [("a", "net"), ("b", "net"), ("c", "net")];
    let stale = sites["a"].agent.create(request(ServiceType::L2, &all)).await.unwrap();
    let id = stale.global_id.as_str();
    let now = sites["a"].agent.update(id, members(&all[..2])).await.unwrap().service;

    // A convergence push that started before the change arrives after it.
    let b = &sites["b"];
    b.agent.sync("a", stale.clone()).await.unwrap();
    assert_eq!(b.agent.get(id).unwrap().params, now.view().params);
    assert_eq!(b.nl.fdb_flood_list(ns(b), "vx1000").await.unwrap(), [sites["a"].underlay]);

    // A master that still sends its reserve: the participant keeps the view without it.
    assert!(!now.params.reserve.is_empty());
    b.agent.sync("a", now.clone()).await.unwrap();
    assert_eq!(b.agent.get(id).unwrap().params, now.view().params);
}

#[tokio::test]
async fn l3_services_are_renamed_but_keep_their_sites() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("one", "10.1.0.0/24").await;
    sites["b"].vim.add("two", "10.2.0.0/24").await;
    let req = request(ServiceType::L3, &[("a", "one"), ("b", "two")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;
    let grow = members(&[("a", "one"), ("b", "two"), ("c", "three")]);
    let err = sites["a"].agent.update(&id, grow).await.unwrap_err().to_string();
    assert_eq!(err, format!("changing the resources of {id} is not supported for l3 services"));
    let rename = UpdateRequest { name: Some("routed".into()), resources: None };
    let reply = sites["a"].agent.update(&id, rename).await.unwrap();
    assert_eq!(sites["b"].agent.get(&id).unwrap().name, "routed");
    assert_eq!(reply.service.sites(), ["a", "b"]);
}
