//! East-West calls a participant refuses after checking them against its own state: a join,
//! a view, a leave, a reservation or a grant that the calling site may not ask, or that would
//! reach beyond its service. A refused call changes nothing there.

use std::collections::BTreeMap;

use archipel_ipam::Pool;
use archipel_netlink::{LinkInfo, Netlink};

use super::{ns, request};
use crate::error::AgentError;
use crate::model::{Params, Resource, Service, ServiceType};
use crate::testing::world::{world, Site};

/// Everything of site b an East-West call could change.
#[derive(Debug, PartialEq)]
struct State {
    services: Vec<Service>,
    networks: Vec<(String, String)>,
    links: Vec<LinkInfo>,
    vni_2000: Option<String>,
}

async fn state(site: &Site) -> State {
    let nets = site.vim.nets.lock().unwrap().clone();
    State {
        services: site.agent.list().unwrap(),
        networks: nets.values().map(|n| (n.name.clone(), format!("{:?}", n.pools))).collect(),
        links: site.nl.list_links(ns(site)).await.unwrap(),
        vni_2000: site.agent.vni_free(2000).unwrap().conflict,
    }
}

fn pools(text: &str) -> Vec<Pool> {
    vec![text.parse().unwrap()]
}

/// A join of b into a service `c` masters: valid as it stands.
fn from_c(sites: &BTreeMap<String, Site>) -> Service {
    let resource =
        |site: &str| Resource { site: site.into(), network: "evil".into(), created: false };
    Service {
        global_id: "c-0badcafe".into(),
        kind: ServiceType::L2,
        name: "evil".into(),
        master: "c".into(),
        params: Params {
            vni: Some(2000),
            cidr: Some("10.9.0.0/24".parse().unwrap()),
            gateway: Some("10.9.0.1".parse().unwrap()),
            mtu: Some(1450),
            pools: [("b", "10.9.0.10-10.9.0.20"), ("c", "10.9.0.30-10.9.0.40")]
                .into_iter()
                .map(|(site, p)| (site.to_owned(), pools(p)))
                .collect(),
            underlays: ["b", "c"].map(|s| (s.to_owned(), sites[s].underlay)).into(),
            ..Params::default()
        },
        resources: vec![resource("c"), resource("b")],
    }
}

#[tokio::test]
async fn forged_joins_are_refused_and_change_nothing_at_the_participant() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let existing = sites["a"].agent.create(req).await.unwrap();
    let b = &sites["b"];
    b.vim.add("private", "172.16.0.0/16").await;
    let before = state(b).await;

    let id = existing.global_id.clone();
    type Forge = fn(&mut Service);
    let cases: Vec<(&str, Forge, String)> = vec![
        (
            "another master",
            |s| s.master = "a".into(),
            "site c called, but the request names site a as the master".into(),
        ),
        (
            "an id another site made",
            |s| s.global_id = "a-0badcafe".into(),
            "site c may not act on service a-0badcafe, which site a made".into(),
        ),
        (
            "the VNI in use",
            |s| s.params.vni = Some(1000),
            format!("VNI 1000 of the service is already used at site b by service {id}"),
        ),
        (
            "a network of another service",
            |s| s.resources[1].network = "net".into(),
            format!("network net of site b is already part of service {id}"),
        ),
        (
            "a network of the site in no service",
            |s| {
                s.resources[1].network = "private".into();
                s.params.cidr = Some("172.16.0.0/16".parse().unwrap());
                s.params.gateway = Some("172.16.0.1".parse().unwrap());
                s.params.pools.insert("b".into(), pools("172.16.0.2-172.16.0.2"));
                s.params.pools.insert("c".into(), pools("172.16.0.3-172.16.0.3"));
            },
            "network private exists at site b with other pools: a participant joins with a \
             network it makes itself"
                .into(),
        ),
        (
            "pools outside the subnet",
            |s| {
                s.params.pools.insert("b".into(), pools("10.8.0.10-10.8.0.20"));
            },
            "the address plan of service c-0badcafe for site b is invalid: pool \
             10.8.0.10-10.8.0.20 is not inside subnet 10.9.0.0/24"
                .into(),
        ),
        (
            "a pool holding the gateway",
            |s| {
                s.params.pools.insert("c".into(), pools("10.9.0.1-10.9.0.5"));
            },
            "the address plan of service c-0badcafe for site c is invalid: address 10.9.0.1 is \
             reserved in subnet 10.9.0.0/24 (network, broadcast or gateway address)"
                .into(),
        ),
        (
            "an underlay address that is no peer's",
            |s| {
                s.params.underlays.insert("c".into(), "198.51.100.7".parse().unwrap());
            },
            "the underlay address 198.51.100.7 given for site c is not its configured one \
             (192.0.2.3)"
                .into(),
        ),
        (
            "a site that is not a peer",
            |s| {
                s.params.underlays.insert("x".into(), "198.51.100.7".parse().unwrap());
            },
            "site x is not a peer of site b: its agent has no --peer for it".into(),
        ),
        (
            "a VNI beyond 24 bits",
            |s| s.params.vni = Some(1 << 24),
            "VNI 16777216 is outside 1 to 16777215".into(),
        ),
        (
            "no pools for the site",
            |s| {
                s.params.pools.remove("b");
            },
            "service c-0badcafe lacks its pools".into(),
        ),
    ];
    for (what, forge, expected) in cases {
        let mut service = from_c(&sites);
        forge(&mut service);
        let err = b.agent.join("c", service).await.unwrap_err();
        assert_eq!(err.chain(), expected, "{what}");
        assert_eq!(state(b).await, before, "{what} changed site b");
    }

    b.agent.join("c", from_c(&sites)).await.unwrap();
    assert_eq!(b.agent.list().unwrap().len(), 2, "the valid join is taken");
    assert!(b.nl.link(ns(b), "vx2000").await.unwrap().is_some());
    b.agent.leave("c", "c-0badcafe").await.unwrap();
    assert_eq!(state(b).await, before);
}

#[tokio::test]
async fn only_the_master_changes_removes_or_reserves_for_its_service() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let req = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let existing = sites["a"].agent.create(req).await.unwrap();
    let id = existing.global_id.as_str();
    let b = &sites["b"];
    let before = state(b).await;
    let not_yours = format!("site c may not act on service {id}, which site a made");

    let err = b.agent.leave("c", id).await.unwrap_err();
    assert_eq!(err.chain(), not_yours);
    let mut moved = b.agent.get(id).unwrap();
    moved.params.underlays.insert("b".into(), "198.51.100.7".parse().unwrap());
    assert_eq!(b.agent.sync("c", moved.clone()).await.unwrap_err().chain(), not_yours);
    let mut view = b.agent.get(id).unwrap();
    view.resources.iter_mut().filter(|r| r.site == "b").for_each(|r| r.network = "default".into());
    let err = b.agent.sync("a", view).await.unwrap_err();
    let fixed = format!(
        "the view of service {id} changes its network at this site, which is fixed at its creation"
    );
    assert_eq!(err.chain(), fixed);
    let err = b.agent.sync("a", moved).await.unwrap_err();
    assert!(matches!(err, AgentError::WrongUnderlay { .. }), "{err}");
    let err = b.agent.reserve_vni("c", 2000, id).unwrap_err();
    assert_eq!(err.chain(), not_yours);
    assert_eq!(b.agent.release_vni("c", 1000, id).unwrap_err().chain(), not_yours);
    let err = b.agent.show("c", id).unwrap_err();
    assert_eq!(err.chain(), format!("site c takes no part in service {id}"));
    let err = sites["a"].agent.grant_pools("c", id, "b").await.unwrap_err();
    assert_eq!(err.chain(), "site c may ask addresses for itself only, not for site b");
    assert_eq!(state(b).await, before);
    assert_eq!(sites["a"].agent.get(id).unwrap(), existing);
}
