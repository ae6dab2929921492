use super::*;

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

/// A site namespace with a bridge holding a gateway, and one container on it.
async fn site(fake: &FakeNetlink) {
    fake.ensure_netns("site").await.unwrap();
    fake.ensure_netns("c1").await.unwrap();
    fake.ensure_bridge(Some("site"), "br0", Some(1450)).await.unwrap();
    fake.set_up(Some("site"), "br0").await.unwrap();
    fake.ensure_address(Some("site"), "br0", net("10.0.0.1/24")).await.unwrap();
    fake.ensure_veth(Some("site"), "vc1", "eth0", Some("c1")).await.unwrap();
    fake.set_master(Some("site"), "vc1", Some("br0")).await.unwrap();
    fake.ensure_address(Some("c1"), "eth0", net("10.0.0.2/24")).await.unwrap();
}

#[tokio::test]
async fn records_changes_in_order_and_not_queries() {
    let fake = FakeNetlink::new();
    fake.ensure_netns("a").await.unwrap();
    fake.ensure_bridge(Some("a"), "br0", None).await.unwrap();
    fake.list_links(Some("a")).await.unwrap();
    fake.ensure_default_route(None, ip("10.0.0.1")).await.unwrap();
    assert_eq!(
        fake.take_calls(),
        ["ensure_netns a", "ensure_bridge a br0 -", "ensure_route - 0.0.0.0/0 10.0.0.1 -"]
    );
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn a_new_namespace_has_a_loopback_that_is_down() {
    let fake = FakeNetlink::new();
    fake.ensure_netns("a").await.unwrap();
    let links = fake.list_links(Some("a")).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].name.as_str(), links[0].up), ("lo", false));
    assert_eq!(fake.list_netns().await.unwrap(), ["a"]);
}

#[tokio::test]
async fn ensuring_twice_changes_nothing() {
    let fake = FakeNetlink::new();
    site(&fake).await;
    let links = fake.list_links(Some("site")).await.unwrap();
    let addresses = fake.list_addresses(Some("site"), None).await.unwrap();
    site(&fake).await;
    assert_eq!(fake.list_links(Some("site")).await.unwrap(), links);
    assert_eq!(fake.list_addresses(Some("site"), None).await.unwrap(), addresses);
    let port = fake.link(Some("site"), "vc1").await.unwrap().unwrap();
    assert_eq!(port.master.as_deref(), Some("br0"));
    assert_eq!(fake.link(Some("site"), "br0").await.unwrap().unwrap().mtu, 1450);
}

#[tokio::test]
async fn deleting_a_namespace_takes_the_veth_peer_along() {
    let fake = FakeNetlink::new();
    site(&fake).await;
    fake.delete_netns("c1").await.unwrap();
    fake.delete_netns("c1").await.unwrap();
    assert!(!fake.link_exists(Some("site"), "vc1").await.unwrap());
    assert!(!fake.netns_exists("c1").await.unwrap());
    assert!(matches!(
        fake.list_links(Some("c1")).await,
        Err(NetlinkError::NetnsNotFound { name }) if name == "c1"
    ));
}

#[tokio::test]
async fn deleting_a_link_takes_its_addresses_routes_and_ports_along() {
    let fake = FakeNetlink::new();
    site(&fake).await;
    fake.ensure_route(Some("site"), net("10.9.0.0/16"), None, Some("br0")).await.unwrap();
    fake.delete_link(Some("site"), "br0").await.unwrap();
    fake.delete_link(Some("site"), "br0").await.unwrap();
    assert!(fake.list_addresses(Some("site"), None).await.unwrap().is_empty());
    assert!(fake.list_routes(Some("site")).await.unwrap().is_empty());
    assert_eq!(fake.link(Some("site"), "vc1").await.unwrap().unwrap().master, None);
}

#[tokio::test]
async fn routes_include_the_connected_ones_of_up_links() {
    let fake = FakeNetlink::new();
    site(&fake).await;
    fake.set_up(Some("c1"), "eth0").await.unwrap();
    fake.ensure_default_route(Some("c1"), ip("10.0.0.1")).await.unwrap();
    fake.ensure_default_route(Some("c1"), ip("10.0.0.254")).await.unwrap();
    let routes = fake.list_routes(Some("c1")).await.unwrap();
    assert_eq!(
        routes,
        [
            Route { dest: net("0.0.0.0/0"), via: Some(ip("10.0.0.254")), dev: None },
            Route { dest: net("10.0.0.0/24"), via: None, dev: Some("eth0".into()) },
        ]
    );
    fake.delete_route(Some("c1"), net("0.0.0.0/0")).await.unwrap();
    fake.delete_route(Some("c1"), net("0.0.0.0/0")).await.unwrap();
    assert_eq!(fake.list_routes(Some("c1")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn vxlan_flood_entries_are_a_set() {
    let fake = FakeNetlink::new();
    site(&fake).await;
    let config = VxlanConfig::new("vx42", 42, ip("192.0.2.1"));
    fake.ensure_vxlan(Some("site"), &config).await.unwrap();
    for remote in ["192.0.2.3", "192.0.2.2", "192.0.2.3"] {
        fake.fdb_flood_add(Some("site"), "vx42", ip(remote)).await.unwrap();
    }
    fake.ensure_vxlan(Some("site"), &config).await.unwrap();
    assert_eq!(
        fake.fdb_flood_list(Some("site"), "vx42").await.unwrap(),
        [ip("192.0.2.2"), ip("192.0.2.3")]
    );
    fake.fdb_flood_del(Some("site"), "vx42", ip("192.0.2.3")).await.unwrap();
    fake.fdb_flood_del(Some("site"), "gone", ip("192.0.2.3")).await.unwrap();
    assert_eq!(fake.fdb_flood_list(Some("site"), "vx42").await.unwrap(), [ip("192.0.2.2")]);
}

#[tokio::test]
async fn a_vxlan_with_another_vni_is_replaced() {
    let fake = FakeNetlink::new();
    fake.ensure_netns("s").await.unwrap();
    fake.ensure_bridge(Some("s"), "br0", None).await.unwrap();
    let mut config = VxlanConfig::new("vx", 1, ip("192.0.2.1"));
    fake.ensure_vxlan(Some("s"), &config).await.unwrap();
    fake.set_master(Some("s"), "vx", Some("br0")).await.unwrap();
    fake.fdb_flood_add(Some("s"), "vx", ip("192.0.2.2")).await.unwrap();
    config.vni = 2;
    fake.ensure_vxlan(Some("s"), &config).await.unwrap();
    assert!(fake.fdb_flood_list(Some("s"), "vx").await.unwrap().is_empty());
    assert_eq!(fake.link(Some("s"), "vx").await.unwrap().unwrap().master, None);
}

#[tokio::test]
async fn wrong_kinds_and_missing_things_fail_like_the_kernel() {
    let fake = FakeNetlink::new();
    site(&fake).await;
    let err = fake.ensure_bridge(Some("site"), "vc1", None).await.unwrap_err();
    assert!(matches!(err, NetlinkError::KindMismatch { expected: LinkKind::Bridge, .. }));
    let err = fake.fdb_flood_add(Some("site"), "br0", ip("192.0.2.2")).await.unwrap_err();
    assert!(matches!(err, NetlinkError::KindMismatch { found: LinkKind::Bridge, .. }));
    let err = fake.set_up(Some("site"), "nope").await.unwrap_err();
    assert!(matches!(err, NetlinkError::LinkNotFound { .. }));
    let err = fake.ensure_bridge(Some("nowhere"), "br0", None).await.unwrap_err();
    assert!(matches!(err, NetlinkError::NetnsNotFound { .. }));
    let err = fake.ensure_bridge(None, "much-too-long-name", None).await.unwrap_err();
    assert!(matches!(err, NetlinkError::Invalid { .. }));
}

#[tokio::test]
async fn injected_failures_change_nothing_until_cleared() {
    let fake = FakeNetlink::new();
    fake.fail_on("ensure_bridge - br1");
    fake.ensure_bridge(None, "br0", None).await.unwrap();
    let err = fake.ensure_bridge(None, "br1", None).await.unwrap_err();
    assert!(matches!(err, NetlinkError::Kernel { .. }));
    assert!(!fake.link_exists(None, "br1").await.unwrap());
    fake.clear_failures();
    fake.ensure_bridge(None, "br1", None).await.unwrap();
    assert_eq!(fake.calls().len(), 3);
}

#[tokio::test]
async fn clones_share_the_state_and_ip_forward_is_per_namespace() {
    let fake = FakeNetlink::new();
    let handed_out: Box<dyn Netlink> = Box::new(fake.clone());
    handed_out.ensure_netns("r").await.unwrap();
    handed_out.set_ip_forward(Some("r"), true).await.unwrap();
    assert!(fake.ip_forward(Some("r")));
    assert!(!fake.ip_forward(None));
    assert_eq!(fake.calls(), ["ensure_netns r", "set_ip_forward r 1"]);
}
