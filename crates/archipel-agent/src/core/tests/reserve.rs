//! VNIs reserved at every participant before they are used: two masters over one shared site
//! never get the same VNI, and nothing stays reserved after a failure.

use archipel_netlink::Netlink;

use super::request;
use crate::model::ServiceType;
use crate::testing::world::world;

#[tokio::test]
async fn a_vni_reserved_for_one_service_is_taken_for_others_until_released_or_left() {
    let (sites, _peers) = world(&["a", "x", "y"]).await;
    let a = &sites["a"].agent;
    assert!(a.reserve_vni("x", 1000, "x-1").unwrap().free);
    assert!(a.reserve_vni("x", 1000, "x-1").unwrap().free, "again for the same service");
    let taken = a.reserve_vni("y", 1000, "y-1").unwrap();
    assert_eq!(taken.conflict.as_deref(), Some("a reservation of service x-1"));
    assert!(!a.vni_free(1000).unwrap().free);
    a.release_vni("y", 1000, "y-1").unwrap();
    assert!(!a.vni_free(1000).unwrap().free, "y-1 cannot release x-1's");
    a.leave("x", "x-1").await.unwrap();
    assert!(a.reserve_vni("y", 1000, "y-1").unwrap().free, "leaving drops the reservation");
}

#[tokio::test]
async fn a_master_skips_a_vni_held_at_a_participant_and_releases_its_own_try() {
    let (sites, _peers) = world(&["a", "b", "z"]).await;
    assert!(sites["b"].agent.reserve_vni("z", 1000, "z-9").unwrap().free);
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    assert_eq!(sites["a"].agent.create(req).await.unwrap().params.vni, Some(1001));
    assert!(sites["a"].agent.vni_free(1000).unwrap().free);
    let held = sites["b"].agent.vni_free(1000).unwrap().conflict;
    assert_eq!(held.as_deref(), Some("a reservation of service z-9"));
}

#[tokio::test]
async fn two_masters_over_one_shared_site_at_once_get_different_vnis() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("na", "10.1.0.0/24").await;
    sites["b"].vim.add("nb", "10.2.0.0/24").await;
    for _ in 0..10 {
        let from_a = request(ServiceType::L2, &[("a", "na"), ("c", "na")]);
        let from_b = request(ServiceType::L2, &[("b", "nb"), ("c", "nb")]);
        let (x, y) = tokio::join!(sites["a"].agent.create(from_a), sites["b"].agent.create(from_b));
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_ne!(x.params.vni, y.params.vni);
        let c = &sites["c"];
        for vni in [x.params.vni.unwrap(), y.params.vni.unwrap()] {
            assert!(c.nl.link(Some(&c.vim.ns), &format!("vx{vni}")).await.unwrap().is_some());
        }
        sites["a"].agent.delete(&x.global_id).await.unwrap();
        sites["b"].agent.delete(&y.global_id).await.unwrap();
    }
    for site in sites.values() {
        assert!(site.agent.list().unwrap().is_empty());
        assert!(site.agent.vni_free(1000).unwrap().free);
    }
}

#[tokio::test]
async fn a_create_that_fails_after_reserving_releases_the_vni_everywhere() {
    for failing in ["c joins", "a attaches"] {
        let (sites, peers) = world(&["a", "b", "c"]).await;
        sites["a"].vim.add("net", "10.0.0.0/24").await;
        match failing {
            "c joins" => {
                peers.failing_join.lock().unwrap().insert("c".into());
            }
            _ => sites["a"].nl.fail_on("ensure_vxlan"),
        }
        let req = request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]);
        sites["a"].agent.create(req).await.unwrap_err();
        for (name, site) in &sites {
            let free = site.agent.vni_free(1000).unwrap();
            assert!(free.free, "{failing}: {name} holds VNI 1000: {:?}", free.conflict);
        }
    }
}

#[tokio::test]
async fn a_service_belongs_to_the_longest_site_name_that_prefixes_its_id() {
    let (sites, _peers) = world(&["a", "edge", "edge-2"]).await;
    let a = &sites["a"].agent;
    assert!(a.reserve_vni("edge-2", 1000, "edge-2-1f").unwrap().free);
    assert!(a.reserve_vni("edge", 1001, "edge-1f").unwrap().free);
    assert!(a.reserve_vni("edge", 1002, "edge-2-").unwrap().free, "nothing after the hyphen");
    for (caller, id) in
        [("edge", "edge-2-1f"), ("edge-2", "edge-1f"), ("edge", "edge-"), ("a", "z-1")]
    {
        let err = a.reserve_vni(caller, 1003, id).unwrap_err();
        assert!(matches!(err, crate::AgentError::NotYours { .. }), "{caller} {id}: {err}");
    }
}
