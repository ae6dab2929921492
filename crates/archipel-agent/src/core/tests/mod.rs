mod encryption;
mod firewall;
mod forged;
mod heal;
mod joins;
mod members;
mod members_refused;
mod pending;
mod reserve;

use std::net::Ipv4Addr;

use archipel_ipam::Pool;
use archipel_netlink::Netlink;

use crate::error::AgentError;
use crate::model::{CreateRequest, ResourceRef, Service, ServiceType, UpdateRequest};
use crate::testing::world::{world, Site};

fn refs(resources: &[(&str, &str)]) -> Vec<ResourceRef> {
    resources
        .iter()
        .map(|(site, network)| ResourceRef { site: (*site).into(), network: (*network).into() })
        .collect()
}

fn request(kind: ServiceType, resources: &[(&str, &str)]) -> CreateRequest {
    CreateRequest { kind, name: "ext".into(), resources: refs(resources) }
}

/// An update to exactly these resources.
fn members(resources: &[(&str, &str)]) -> UpdateRequest {
    UpdateRequest { name: None, resources: Some(refs(resources)) }
}

fn ns(site: &Site) -> Option<&str> {
    Some(site.vim.ns.as_str())
}

fn disjoint(pools: &[Pool]) -> bool {
    pools.iter().enumerate().all(|(i, a)| pools[i + 1..].iter().all(|b| !a.overlaps(b)))
}

async fn no_tunnels(site: &Site) -> bool {
    let links = site.nl.list_links(ns(site)).await.unwrap();
    !links.iter().any(|l| l.name.starts_with("vx") || l.name.starts_with("vt"))
}

#[tokio::test]
async fn l2_extension_hands_out_disjoint_pools_and_builds_the_tunnels() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let service = sites["a"].agent.create(req).await.unwrap();

    assert!(service.global_id.starts_with("a-"));
    let p = &service.params;
    assert_eq!(p.vni, Some(1000));
    assert_eq!(p.mtu, Some(1450));
    assert_eq!(p.reserve.len(), 6);
    let mut handed: Vec<Pool> = p.pools.values().flatten().copied().collect();
    handed.extend(p.reserve.iter().flatten().copied());
    assert!(disjoint(&handed));
    let gateway = Ipv4Addr::new(10, 0, 0, 1);
    assert!(handed.iter().all(|pool| !pool.contains(gateway)));

    for (name, site) in &sites {
        let net = site.vim.get("net").unwrap();
        assert_eq!(net.cidr, "10.0.0.0/24".parse().unwrap());
        assert_eq!(net.gateway, gateway);
        assert_eq!(net.pools, p.pools[name]);
        let vx = site.nl.link(ns(site), "vx1000").await.unwrap().unwrap();
        assert_eq!(vx.master.as_deref(), Some("br-net"));
        assert_eq!(vx.mtu, 1450);
        assert_eq!(site.nl.link(ns(site), "br-net").await.unwrap().unwrap().mtu, 1450);
        let mut others: Vec<Ipv4Addr> =
            sites.values().filter(|s| s.underlay != site.underlay).map(|s| s.underlay).collect();
        others.sort();
        assert_eq!(site.nl.fdb_flood_list(ns(site), "vx1000").await.unwrap(), others);
        assert_eq!(site.agent.get(&service.global_id).unwrap().master, "a");
    }
    let b = sites["b"].agent.get(&service.global_id).unwrap();
    assert!(b.resource_of("b").unwrap().created);
}

#[tokio::test]
async fn vni_is_free_at_every_participant() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["b"].vim.add("left", "10.1.0.0/24").await;
    let first = request(ServiceType::L2, &[("b", "left"), ("c", "left")]);
    assert_eq!(sites["b"].agent.create(first).await.unwrap().params.vni, Some(1000));

    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let second = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    assert_eq!(sites["a"].agent.create(second).await.unwrap().params.vni, Some(1001));
}

#[tokio::test]
async fn an_unreachable_site_fails_the_create_before_anything_is_made() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let before = sites["a"].vim.get("net").unwrap();
    peers.down.lock().unwrap().insert("c".into());
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let err = sites["a"].agent.create(req).await.unwrap_err();
    assert!(err.chain().contains("site c"), "{}", err.chain());
    assert_eq!(sites["a"].vim.get("net").unwrap(), before);
    assert!(sites["b"].vim.get("net").is_none());
    for site in sites.values() {
        assert!(site.agent.list().unwrap().is_empty());
        assert!(no_tunnels(site).await);
    }
}

#[tokio::test]
async fn a_failed_join_is_undone_at_every_site() {
    let (sites, peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let before = sites["a"].vim.get("net").unwrap();
    peers.failing_join.lock().unwrap().insert("c".into());
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
    let err = sites["a"].agent.create(req).await.unwrap_err();
    assert!(err.chain().contains("site c"), "{}", err.chain());
    assert_eq!(sites["a"].vim.get("net").unwrap().pools, before.pools);
    assert!(sites["b"].vim.get("net").is_none());
    assert!(!sites["b"].nl.link_exists(ns(&sites["b"]), "br-net").await.unwrap());
    for site in sites.values() {
        assert!(site.agent.list().unwrap().is_empty());
        assert!(no_tunnels(site).await);
    }
}

#[tokio::test]
async fn a_cidr_used_at_a_remote_site_is_refused() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    sites["b"].vim.add("other", "10.0.0.128/25").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let err = sites["a"].agent.create(req).await.unwrap_err().to_string();
    assert_eq!(err, "10.0.0.0/24 is already used at site b by network other (10.0.0.128/25)");
}

#[tokio::test]
async fn overlapping_l3_networks_are_refused_naming_both() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("one", "10.1.0.0/16").await;
    sites["b"].vim.add("two", "10.1.2.0/24").await;
    let req = request(ServiceType::L3, &[("a", "one"), ("b", "two")]);
    let err = sites["a"].agent.create(req).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "network one of site a (10.1.0.0/16) overlaps network two of site b (10.1.2.0/24)"
    );
    assert!(no_tunnels(&sites["a"]).await);
}

#[tokio::test]
async fn l3_routes_each_subnet_through_the_transit_segment() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("one", "10.1.0.0/24").await;
    sites["b"].vim.add("two", "10.2.0.0/24").await;
    let req = request(ServiceType::L3, &[("a", "one"), ("b", "two")]);
    let service = sites["a"].agent.create(req).await.unwrap();
    let transit_b = service.params.transit["b"];
    assert_eq!(transit_b, "100.64.0.2/24".parse().unwrap());
    let a = &sites["a"];
    let routes = a.nl.list_routes(ns(a)).await.unwrap();
    let to_b = routes.iter().find(|r| r.dest == "10.2.0.0/24".parse().unwrap()).unwrap();
    assert_eq!(to_b.via, Some(transit_b.addr()));
    assert!(a.nl.ip_forward(ns(a)));

    sites["a"].agent.delete(&service.global_id).await.unwrap();
    for site in sites.values() {
        assert!(no_tunnels(site).await);
        assert!(site.agent.list().unwrap().is_empty());
    }
    assert!(sites["b"].vim.get("two").is_some());
}

#[tokio::test]
async fn a_site_that_runs_out_gets_a_reserve_block() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;
    let had = sites["b"].vim.get("net").unwrap().pools;
    let reserve: Service = sites["a"].agent.get(&id).unwrap();
    let block = sites["b"].agent.grow(&id).await.unwrap();
    assert_eq!(block, reserve.params.reserve[0]);
    let now = sites["b"].vim.get("net").unwrap().pools;
    assert_eq!(now.len(), had.len() + block.len());
    let master = sites["a"].agent.get(&id).unwrap();
    assert_eq!(master.params.reserve.len(), reserve.params.reserve.len() - 1);
    let mut all: Vec<Pool> = master.params.pools.values().flatten().copied().collect();
    all.extend(master.params.reserve.iter().flatten().copied());
    assert!(disjoint(&all));
}

#[tokio::test]
async fn a_network_that_runs_out_grows_its_extension() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;
    let had = sites["b"].vim.get("net").unwrap().pools;
    let (grown, block) = sites["b"].agent.grow_network("net").await.unwrap();
    assert_eq!(grown, id);
    assert_eq!(sites["b"].vim.get("net").unwrap().pools.len(), had.len() + block.len());
    sites["b"].vim.add("alone", "10.9.0.0/24").await;
    let err = sites["b"].agent.grow_network("alone").await.unwrap_err();
    assert!(matches!(err, AgentError::NotExtended { ref network } if network == "alone"), "{err}");
}

#[tokio::test]
async fn delete_removes_the_service_everywhere() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let full = sites["a"].vim.get("net").unwrap().pools;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;
    let err = sites["b"].agent.delete(&id).await.unwrap_err().to_string();
    assert!(err.contains("site a is the master"), "{err}");
    sites["a"].agent.delete(&id).await.unwrap();
    assert!(sites["b"].vim.get("net").is_none());
    assert_eq!(sites["a"].vim.get("net").unwrap().pools, full);
    for site in sites.values() {
        assert!(no_tunnels(site).await);
        assert!(site.agent.list().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_rename_reaches_every_site() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let id = sites["a"].agent.create(req).await.unwrap().global_id;
    let update = UpdateRequest { name: Some("renamed".into()), resources: None };
    assert!(sites["a"].agent.update(&id, update).await.unwrap().pending.is_empty());
    let b = sites["b"].agent.get(&id).unwrap();
    assert_eq!(b.name, "renamed");
    assert!(b.resource_of("b").unwrap().created);
}
