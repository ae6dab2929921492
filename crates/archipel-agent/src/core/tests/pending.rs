//! Creates the master died in, and requests refused before any site is asked.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use archipel_ipam::Pool;

use super::{no_tunnels, ns, request};
use crate::api::ApiError;
use crate::error::AgentError;
use crate::model::{Params, Resource, Service, ServiceType};
use crate::testing::world::{world, Site};

const THREE: &[(&str, &str)] = &[("a", "net"), ("b", "net"), ("c", "net")];

#[tokio::test]
async fn a_create_the_master_died_in_is_undone_everywhere_by_the_next_pass() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let before = sites["a"].vim.get("net").unwrap();
    let a = &sites["a"].agent;
    let service = a.create(request(ServiceType::L2, THREE)).await.unwrap();
    // The agent died after every site made its share, before the create was answered; b has
    // lost its share meanwhile. The pass undoes the create rather than have b join it.
    a.store.put_pending(&service).unwrap();
    let b = &sites["b"].agent;
    b.remove_local(&b.get(&service.global_id).unwrap()).await.unwrap();
    a.converge().await.unwrap();
    for site in sites.values() {
        assert!(site.agent.list().unwrap().is_empty());
        assert!(no_tunnels(site).await);
    }
    assert_eq!(sites["a"].vim.get("net").unwrap().pools, before.pools);
    assert!(sites["b"].vim.get("net").is_none(), "the network b's join made stays");
    assert!(a.store.pending().unwrap().is_empty());
    assert!(a.store.tombstones().unwrap().is_empty());
    // The subnet is free again everywhere.
    a.create(request(ServiceType::L2, THREE)).await.unwrap();
}

#[tokio::test]
async fn a_create_that_died_before_the_master_recorded_its_share_leaves_no_tunnel() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let a = &sites["a"].agent;
    let service = a.create(request(ServiceType::L2, THREE)).await.unwrap();
    a.store.put_pending(&service).unwrap();
    a.store.delete_service(&service.global_id).unwrap();
    assert!(!no_tunnels(&sites["a"]).await);
    // A create in progress is listed: a caller that timed out finds it by its name.
    let listed = a.list().unwrap();
    assert_eq!(listed.iter().map(|s| &s.global_id).collect::<Vec<_>>(), [&service.global_id]);
    // c is cut off: it leaves once it answers again.
    peers.down.lock().unwrap().insert("c".into());
    a.abandon_dead_creates().await;
    assert!(no_tunnels(&sites["a"]).await);
    assert!(sites["b"].agent.list().unwrap().is_empty());
    assert_eq!(a.store.tombstones().unwrap(), vec![(service.global_id.clone(), "c".to_owned())]);
    peers.down.lock().unwrap().clear();
    a.converge().await.unwrap();
    assert!(sites["c"].agent.list().unwrap().is_empty());
    assert!(no_tunnels(&sites["c"]).await);
    assert!(a.store.tombstones().unwrap().is_empty());
}

#[tokio::test]
async fn a_create_the_master_died_in_while_planning_is_undone_and_frees_what_it_held() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let (a, b) = (&sites["a"].agent, &sites["b"].agent);
    // Recorded before the plan, which held a VNI at b when the agent died.
    let unplanned = Service {
        global_id: "a-0badf00d".into(),
        kind: ServiceType::L2,
        name: "ext".into(),
        master: "a".into(),
        params: Params::default(),
        resources: [("a", "net"), ("b", "net")]
            .map(|(site, network)| Resource {
                site: site.into(),
                network: network.into(),
                created: false,
            })
            .to_vec(),
    };
    a.store.put_pending(&unplanned).unwrap();
    b.reserve_vni("a", 4242, &unplanned.global_id).unwrap();
    assert_eq!(a.list().unwrap(), vec![unplanned.clone()], "a create being planned is not listed");
    a.abandon_dead_creates().await;
    nothing_left(&sites);
    assert_eq!(b.store.vni_holder(4242, 0).unwrap(), None, "b still holds the VNI");
    assert!(no_tunnels(&sites["a"]).await && no_tunnels(&sites["b"]).await);
}

/// The master's popd goes down after the create's plan read its network, and stays down
/// through the undo: the create fails, its undo too.
/// Returns its id and a's pools before it.
async fn a_create_whose_undo_failed(sites: &BTreeMap<String, Site>) -> (String, Vec<Pool>) {
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let pools = sites["a"].vim.get("net").unwrap().pools;
    let a = &sites["a"].agent;
    sites["a"].vim.failing_updates.store(true, Ordering::Relaxed);
    a.create(request(ServiceType::L2, THREE)).await.unwrap_err();
    sites["a"].vim.failing_updates.store(false, Ordering::Relaxed);
    let listed = a.list().unwrap();
    assert_eq!(listed.len(), 1, "the create whose undo failed is not listed");
    (listed[0].global_id.clone(), pools)
}

fn nothing_left(sites: &BTreeMap<String, Site>) {
    for (name, site) in sites {
        assert!(site.agent.list().unwrap().is_empty(), "{name} holds a service");
    }
    let a = &sites["a"].agent;
    assert!(a.store.pending().unwrap().is_empty());
    assert!(a.store.tombstones().unwrap().is_empty());
}

#[tokio::test]
async fn a_create_whose_undo_failed_is_undone_by_the_next_pass() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    let (_, pools) = a_create_whose_undo_failed(&sites).await;
    sites["a"].agent.converge().await.unwrap();
    nothing_left(&sites);
    assert_eq!(sites["a"].vim.get("net").unwrap().pools, pools);
    for site in sites.values() {
        assert!(no_tunnels(site).await);
    }
    sites["a"].agent.create(request(ServiceType::L2, THREE)).await.unwrap();
}

#[tokio::test]
async fn a_create_whose_undo_failed_is_deleted_by_its_caller() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    let (id, pools) = a_create_whose_undo_failed(&sites).await;
    // Its caller, told the create failed, deletes what it finds by the name (the NFVO does).
    let reply = sites["a"].agent.delete(&id).await.unwrap();
    assert!(reply.pending.is_empty());
    nothing_left(&sites);
    assert_eq!(sites["a"].vim.get("net").unwrap().pools, pools);
}

#[tokio::test]
async fn a_request_naming_a_stranger_or_a_bad_name_is_refused_before_any_site_is_asked() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let a = &sites["a"].agent;
    let status = |err: AgentError| (ApiError::from(err).0.status, a.list().unwrap().len());

    let stranger = request(ServiceType::L2, &[("a", "net"), ("zz", "net")]);
    let err = a.create(stranger).await.unwrap_err();
    assert_eq!(err.to_string(), "site zz is not a peer of site a: its agent has no --peer for it");
    assert_eq!(status(err), (400, 0));

    for (name, problem) in [
        ("", "empty"),
        ("a\nb", "holding a control character"),
        ("x\0", "holding a control character"),
    ] {
        let mut req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
        req.name = name.to_owned();
        let err = a.create(req).await.unwrap_err();
        assert!(err.to_string().starts_with(&format!("the service name is {problem}:")), "{err}");
        assert_eq!(status(err), (400, 0));
    }
    let mut long = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    long.name = "é".repeat(crate::core::NAME_MAX + 1);
    assert!(a.create(long).await.unwrap_err().to_string().contains("too long"));
    let mut bad_network = request(ServiceType::L2, &[("a", "net"), ("b", "n\tet")]);
    bad_network.name = "ok".into();
    let err = a.create(bad_network).await.unwrap_err();
    assert!(err.to_string().starts_with("the network name is holding"), "{err}");
    assert!(sites["b"].nl.calls().iter().all(|c| !c.contains("vx")));
    assert!(no_tunnels(&sites["b"]).await);
}

#[tokio::test]
async fn the_tunnel_port_suppresses_arp_so_the_gateway_answers_at_its_own_site() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let service =
        sites["a"].agent.create(request(ServiceType::L2, &[("a", "net"), ("b", "net")])).await;
    let vni = service.unwrap().params.vni.unwrap();
    for site in sites.values() {
        let want = format!("set_neigh_suppress {} vx{vni} on", ns(site).unwrap());
        assert!(site.nl.calls().iter().any(|c| c.contains(&want)), "{:?}", site.nl.calls());
    }
}

#[tokio::test]
async fn a_service_whose_network_was_deleted_first_is_deleted_everywhere() {
    use crate::vim::SiteVim;
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let a = &sites["a"].agent;
    let service = a.create(request(ServiceType::L2, &[("a", "net"), ("b", "net")])).await.unwrap();
    // The NFVO removed the master's network before the extension.
    sites["a"].vim.delete_network("net").await.unwrap();
    let reply = a.delete(&service.global_id).await.unwrap();
    assert!(reply.pending.is_empty());
    for site in sites.values() {
        assert!(site.agent.list().unwrap().is_empty());
        assert!(no_tunnels(site).await);
    }
}

#[tokio::test]
async fn a_join_undone_after_its_network_was_deleted_leaves_no_tunnel() {
    use crate::vim::SiteVim;
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let a = &sites["a"].agent;
    let service = a.create(request(ServiceType::L2, &[("a", "net"), ("b", "net")])).await.unwrap();
    // b died in its join after making its share, before recording it; the NFVO, told b did
    // not leave, deleted b's network; then the master's leave reaches b.
    let b = &sites["b"].agent;
    // Another network of b's popd, in the namespace where it makes them all.
    sites["b"].vim.add("other", "10.9.0.0/24").await;
    let mut joining = service.outline();
    joining.resources.retain(|r| r.site == "b");
    b.store.put_pending_join(&joining).unwrap();
    b.store.delete_service(&service.global_id).unwrap();
    sites["b"].vim.delete_network("net").await.unwrap();
    assert!(!no_tunnels(&sites["b"]).await);
    b.leave("a", &service.global_id).await.unwrap();
    assert!(no_tunnels(&sites["b"]).await, "{:?}", sites["b"].nl.calls());
}
