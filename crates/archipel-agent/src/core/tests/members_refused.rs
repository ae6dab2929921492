//! Changes of an L2 extension's sites that cannot be made: refused with a clear reason, and
//! nothing changed anywhere.

use std::collections::BTreeMap;
use std::sync::Arc;

use archipel_netlink::Netlink;

use super::{members, no_tunnels, ns, request};
use crate::model::{Service, ServiceType};
use crate::testing::world::{world, FakePeers, Site};

/// Site a masters an extension of `net` over a and b; the world also has `others`.
async fn extension(others: &[&str]) -> (BTreeMap<String, Site>, Arc<FakePeers>, Service) {
    let names: Vec<&str> = ["a", "b"].iter().chain(others).copied().collect();
    let (sites, peers) = world(&names).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let service = sites["a"].agent.create(req).await.unwrap();
    (sites, peers, service)
}

/// a and b hold `before` with their tunnels as they were; every other site holds nothing of it.
/// The master's revision may have moved on: newcomers that joined and left refuse a join at it.
async fn unchanged(sites: &BTreeMap<String, Site>, before: &Service) {
    let id = before.global_id.as_str();
    let mut held = sites["a"].agent.get(id).unwrap();
    assert!(held.params.revision >= before.params.revision);
    held.params.revision = before.params.revision;
    assert_eq!(held, *before);
    assert_eq!(sites["b"].agent.get(id).unwrap().params, before.view().params);
    let (a, b) = (&sites["a"], &sites["b"]);
    assert_eq!(a.nl.fdb_flood_list(ns(a), "vx1000").await.unwrap(), [b.underlay]);
    assert_eq!(b.nl.fdb_flood_list(ns(b), "vx1000").await.unwrap(), [a.underlay]);
    for site in sites.values().filter(|s| !before.sites().contains(&s.agent.site().to_owned())) {
        assert!(site.agent.get(id).is_err(), "{} holds {id}", site.agent.site());
        assert!(site.vim.get("net").is_none());
        assert!(no_tunnels(site).await);
        assert!(site.agent.vni_free(1000).unwrap().free, "{} holds VNI 1000", site.agent.site());
    }
}

#[tokio::test]
async fn changes_the_extension_cannot_become_are_refused() {
    let (sites, _peers, before) = extension(&["c"]).await;
    let id = before.global_id.as_str();
    let master = format!("site a is the master of {id} and cannot be removed");
    let network = format!(
        "site b takes part in {id} with network net, not x: remove the site first to change it"
    );
    let cases: [(&[(&str, &str)], String); 4] = [
        (&[("b", "net"), ("c", "net")], master),
        (&[("a", "net")], "a service needs at least two sites".into()),
        (&[("a", "net"), ("b", "net"), ("b", "x")], "each site may bring one network only".into()),
        (&[("a", "net"), ("b", "x")], network),
    ];
    for (resources, expected) in cases {
        let mut req = members(resources);
        req.name = Some("renamed".into());
        let err = sites["a"].agent.update(id, req).await.unwrap_err().to_string();
        assert_eq!(err, expected);
    }
    unchanged(&sites, &before).await;
}

#[tokio::test]
async fn a_newcomer_that_is_down_or_fails_to_join_fails_the_change_naming_it() {
    for failure in ["down", "join"] {
        let (sites, peers, before) = extension(&["c", "d"]).await;
        match failure {
            "down" => peers.down.lock().unwrap().insert("d".into()),
            _ => peers.failing_join.lock().unwrap().insert("d".into()),
        };
        let all = members(&[("a", "net"), ("b", "net"), ("c", "net"), ("d", "net")]);
        let err = sites["a"].agent.update(&before.global_id, all).await.unwrap_err();
        assert!(err.chain().contains("site d"), "{failure}: {}", err.chain());
        peers.down.lock().unwrap().clear();
        unchanged(&sites, &before).await;
    }
}

#[tokio::test]
async fn a_newcomer_where_the_vni_is_taken_is_refused_naming_the_conflict() {
    let (sites, _peers, before) = extension(&["c", "d"]).await;
    sites["d"].vim.add("left", "10.1.0.0/24").await;
    let other = request(ServiceType::L2, &[("c", "left"), ("d", "left")]);
    let other = sites["d"].agent.create(other).await.unwrap();
    assert_eq!(other.params.vni, Some(1000));

    let add_c = members(&[("a", "net"), ("b", "net"), ("c", "net")]);
    let err = sites["a"].agent.update(&before.global_id, add_c).await.unwrap_err().to_string();
    let expected =
        format!("VNI 1000 of the service is already used at site c by service {}", other.global_id);
    assert_eq!(err, expected);
    assert_eq!(sites["c"].agent.list().unwrap(), [sites["c"].agent.get(&other.global_id).unwrap()]);
    assert_eq!(sites["a"].agent.get(&before.global_id).unwrap(), before);
}

#[tokio::test]
async fn a_newcomer_gets_nothing_when_the_reserve_is_spent() {
    let (sites, _peers, before) = extension(&["c"]).await;
    let id = before.global_id.as_str();
    for _ in &before.params.reserve {
        sites["b"].agent.grow(id).await.unwrap();
    }
    let spent = sites["a"].agent.get(id).unwrap();
    assert!(spent.params.reserve.is_empty());
    let add_c = members(&[("a", "net"), ("b", "net"), ("c", "net")]);
    let err = sites["a"].agent.update(id, add_c).await.unwrap_err().to_string();
    assert_eq!(err, format!("service {id} has no address block left in reserve"));
    assert_eq!(sites["a"].agent.get(id).unwrap(), spent);
    assert!(sites["c"].agent.list().unwrap().is_empty());
    assert!(sites["c"].vim.get("net").is_none());
}
