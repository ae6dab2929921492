use std::net::Ipv4Addr;

use archipel_netlink::{Address, Netlink, NetlinkError, Route, RtNetlink};
use ipnet::Ipv4Net;

use crate::common::{ip, netlink, pings, Namespaces};

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

fn addr(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

/// Namespaces 0 and 1 joined by a veth `v0` on each side: 10.2.0.1/24 and 10.2.0.2/24.
async fn joined(nl: &RtNetlink, names: &Namespaces) {
    let (a, b) = (names.ns(0), names.ns(1));
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.ensure_netns(names.name(1)).await.unwrap();
    nl.ensure_veth(a, "v0", "v0", b).await.unwrap();
    nl.ensure_address(a, "v0", net("10.2.0.1/24")).await.unwrap();
    nl.ensure_address(b, "v0", net("10.2.0.2/24")).await.unwrap();
    for ns in [a, b] {
        nl.set_up(ns, "v0").await.unwrap();
        nl.set_up(ns, "lo").await.unwrap();
    }
}

#[tokio::test]
#[ignore = "needs root"]
async fn addresses_are_added_once_and_deleted() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    joined(&nl, &names).await;
    let (a, name) = (names.ns(0), names.name(0));
    nl.ensure_address(a, "v0", net("10.2.0.1/24")).await.unwrap();
    nl.ensure_address(a, "v0", net("10.2.1.1/24")).await.unwrap();
    let shown = ip(name, &["-o", "-4", "addr", "show", "dev", "v0"]);
    assert_eq!(shown.matches("inet 10.2.0.1/24").count(), 1, "{shown}");
    assert!(shown.contains("inet 10.2.1.1/24"));
    let v0 = |a: &str| Address { link: "v0".into(), addr: net(a) };
    assert_eq!(
        nl.list_addresses(a, Some("v0")).await.unwrap(),
        [v0("10.2.0.1/24"), v0("10.2.1.1/24")]
    );

    nl.delete_address(a, "v0", net("10.2.1.1/24")).await.unwrap();
    nl.delete_address(a, "v0", net("10.2.1.1/24")).await.unwrap();
    nl.delete_address(a, "gone", net("10.2.1.1/24")).await.unwrap();
    assert!(!ip(name, &["-o", "addr"]).contains("10.2.1.1"));
    let all = nl.list_addresses(a, None).await.unwrap();
    assert_eq!(all, [Address { link: "lo".into(), addr: net("127.0.0.1/8") }, v0("10.2.0.1/24")]);
}

#[tokio::test]
#[ignore = "needs root"]
async fn routes_are_replaced_listed_and_deleted() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    joined(&nl, &names).await;
    let (a, name) = (names.ns(0), names.name(0));
    for _ in 0..2 {
        nl.ensure_route(a, net("10.9.0.0/16"), Some(addr("10.2.0.2")), None).await.unwrap();
        nl.ensure_route(a, net("10.8.0.0/16"), None, Some("v0")).await.unwrap();
    }
    assert_eq!(
        ip(name, &["route", "show", "10.9.0.0/16"]).trim(),
        "10.9.0.0/16 via 10.2.0.2 dev v0 proto static"
    );
    assert_eq!(
        ip(name, &["route", "show", "10.8.0.0/16"]).trim(),
        "10.8.0.0/16 dev v0 proto static scope link"
    );
    let routes = nl.list_routes(a).await.unwrap();
    let route = |dest: &str, via: Option<&str>| Route {
        dest: net(dest),
        via: via.map(addr),
        dev: Some("v0".into()),
    };
    assert_eq!(
        routes,
        [
            route("10.2.0.0/24", None),
            route("10.8.0.0/16", None),
            route("10.9.0.0/16", Some("10.2.0.2"))
        ]
    );

    nl.delete_route(a, net("10.9.0.0/16")).await.unwrap();
    nl.delete_route(a, net("10.9.0.0/16")).await.unwrap();
    assert!(ip(name, &["route", "show", "10.9.0.0/16"]).is_empty());

    let err = nl.ensure_route(a, net("10.7.0.0/16"), None, None).await.unwrap_err();
    assert!(matches!(err, NetlinkError::Invalid { .. }), "{err}");
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_default_route_via_a_gateway_carries_traffic() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    joined(&nl, &names).await;
    let b = names.ns(1);
    nl.ensure_address(names.ns(0), "lo", net("10.3.0.1/32")).await.unwrap();
    nl.ensure_default_route(b, addr("10.2.0.3")).await.unwrap();
    nl.ensure_default_route(b, addr("10.2.0.1")).await.unwrap();
    nl.ensure_default_route(b, addr("10.2.0.1")).await.unwrap();
    let shown = ip(names.name(1), &["route", "show", "default"]);
    assert_eq!(shown.trim(), "default via 10.2.0.1 dev v0 proto static");
    assert!(pings(names.name(1), "10.3.0.1"));
}
