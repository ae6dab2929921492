//! Partitions: a participant that missed changes converges on the master's next pass; a
//! delete that cannot reach a site finishes there once it can.

use archipel_netlink::Netlink;

use super::{no_tunnels, ns, request};
use crate::error::AgentError;
use crate::model::{ServiceType, UpdateRequest};
use crate::testing::world::world;

#[tokio::test]
async fn a_participant_cut_off_during_an_update_converges_on_the_next_pass() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;

    peers.down.lock().unwrap().insert("b".into());
    let renamed = UpdateRequest { name: Some("renamed".into()), resources: None };
    let reply = sites["a"].agent.update(&id, renamed).await.unwrap();
    assert_eq!(reply.pending, ["b"]);
    assert_eq!(reply.service.name, "renamed");
    assert_eq!(sites["c"].agent.get(&id).unwrap().name, "renamed");
    assert_eq!(sites["b"].agent.get(&id).unwrap().name, "ext");
    sites["a"].agent.converge().await.unwrap();
    assert_eq!(sites["b"].agent.get(&id).unwrap().name, "ext");

    peers.down.lock().unwrap().clear();
    sites["a"].agent.converge().await.unwrap();
    let b = sites["b"].agent.get(&id).unwrap();
    assert_eq!(b.name, "renamed");
    assert!(b.resource_of("b").unwrap().created);
    assert_eq!(b.params, sites["a"].agent.get(&id).unwrap().view().params);
}

#[tokio::test]
async fn a_participant_that_lost_a_service_joins_it_again() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let service = sites["a"].agent.create(req).await.unwrap();
    let b = &sites["b"];
    // b loses its share and its record (its store restored from before, say), unasked.
    let held = b.agent.get(&service.global_id).unwrap();
    b.agent.remove_local(&held).await.unwrap();
    assert!(b.vim.get("net").is_none());

    sites["a"].agent.converge().await.unwrap();
    assert_eq!(b.agent.get(&service.global_id).unwrap().params, service.view().params);
    assert_eq!(b.vim.get("net").unwrap().pools, service.params.pools["b"]);
    assert!(b.nl.link(ns(b), "vx1000").await.unwrap().is_some());
    sites["a"].agent.converge().await.unwrap();
    assert_eq!(b.agent.list().unwrap().len(), 1);
}

#[tokio::test]
async fn a_delete_names_the_site_it_cannot_reach_and_finishes_there_later() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let full = sites["a"].vim.get("net").unwrap().pools;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;

    peers.down.lock().unwrap().insert("b".into());
    let reply = sites["a"].agent.delete(&id).await.unwrap();
    assert_eq!(reply.pending, ["b"]);
    for site in ["a", "c"] {
        assert!(sites[site].agent.list().unwrap().is_empty());
        assert!(no_tunnels(&sites[site]).await);
    }
    assert_eq!(sites["a"].vim.get("net").unwrap().pools, full);
    assert!(sites["c"].vim.get("net").is_none());
    // Cut off, b keeps its share until the master reaches it.
    sites["a"].agent.converge().await.unwrap();
    assert!(sites["b"].agent.get(&id).is_ok());
    assert!(!no_tunnels(&sites["b"]).await);

    peers.down.lock().unwrap().clear();
    sites["a"].agent.converge().await.unwrap();
    assert!(sites["b"].agent.list().unwrap().is_empty());
    assert!(sites["b"].vim.get("net").is_none());
    assert!(no_tunnels(&sites["b"]).await);
    assert!(sites["a"].agent.store.tombstones().unwrap().is_empty());
    // The service stays gone: no later pass hands it back to anyone.
    sites["a"].agent.converge().await.unwrap();
    for site in sites.values() {
        assert!(site.agent.list().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_participant_that_lost_its_record_but_kept_its_network_joins_again_with_it() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;
    sites["b"].agent.grow(&id).await.unwrap();
    let b = &sites["b"];
    let kept = b.vim.get("net").unwrap();
    // A crash between making the network and recording the service.
    b.agent.store.delete_service(&id).unwrap();

    sites["a"].agent.converge().await.unwrap();
    let master = sites["a"].agent.get(&id).unwrap();
    assert_eq!(b.agent.get(&id).unwrap().params, master.view().params);
    assert_eq!(b.vim.get("net").unwrap().pools, kept.pools);
}

#[tokio::test]
async fn a_join_overtaken_by_its_leave_is_refused_and_a_later_view_joins() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let service = sites["a"].agent.create(req).await.unwrap();
    let c = &sites["c"];
    let held = c.agent.get(&service.global_id).unwrap();
    c.agent.leave("a", &service.global_id).await.unwrap();
    // The create's join, late: refused, nothing made.
    let err = c.agent.join("a", service.clone()).await.unwrap_err();
    assert!(matches!(err, AgentError::JoinAfterLeave { .. }), "{err}");
    assert!(c.vim.get("net").is_none());
    assert!(no_tunnels(c).await);
    // A leave for a service never held refuses its late join too.
    let mut other = service.clone();
    other.global_id = "a-00000001".into();
    c.agent.leave("a", &other.global_id).await.unwrap();
    assert!(c.agent.join("a", other).await.is_err());
    // A later view (the site added again) joins.
    let mut later = held;
    later.params.revision += 1;
    c.agent.join("a", later).await.unwrap();
    assert!(c.vim.get("net").is_some());
}

#[tokio::test]
async fn a_pass_sends_whole_only_the_views_a_site_lacks_or_holds_older() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    sites["a"].vim.add("other", "10.0.1.0/24").await;
    let one = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let one = sites["a"].agent.create(one).await.unwrap().global_id;
    let two = request(ServiceType::L2, &[("a", "other"), ("b", "other")]);
    sites["a"].agent.create(two).await.unwrap();
    let calls = |kind: &str| peers.calls.lock().unwrap().get(kind).copied().unwrap_or_default();
    let (joins, updates) = (calls("join"), calls("update"));

    // Nothing changed: one revisions call per site, no view sent.
    sites["a"].agent.converge().await.unwrap();
    assert_eq!(calls("revisions"), 2);
    assert_eq!((calls("join"), calls("update")), (joins, updates));

    // c misses a rename: the next pass sends c that view alone.
    peers.down.lock().unwrap().insert("c".into());
    let renamed = UpdateRequest { name: Some("renamed".into()), resources: None };
    sites["a"].agent.update(&one, renamed).await.unwrap();
    peers.down.lock().unwrap().clear();
    let updates = calls("update");
    sites["a"].agent.converge().await.unwrap();
    assert_eq!(calls("update"), updates + 1);
    assert_eq!(sites["c"].agent.get(&one).unwrap().name, "renamed");

    // A site answers nothing of another master's services.
    let reply = sites["b"]
        .agent
        .revisions("c", &crate::model::Revisions { services: [(one.clone(), 99)].into() });
    assert_eq!(reply.unwrap(), crate::model::RevisionsReply::default());
}
