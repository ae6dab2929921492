use archipel_netlink::{LinkKind, Netlink, NetlinkError, RtNetlink};

use crate::common::{ip, netlink, pings, run, succeeds, Namespaces};

/// Namespace 0 holds bridge br0 (10.1.0.1/24) with port `vb`, whose peer `eth0` (10.1.0.2/24)
/// is in namespace 1.
async fn bridge_and_veth(nl: &RtNetlink, names: &Namespaces) {
    let (a, b) = (names.ns(0), names.ns(1));
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.ensure_netns(names.name(1)).await.unwrap();
    nl.ensure_bridge(a, "br0", None).await.unwrap();
    nl.ensure_address(a, "br0", "10.1.0.1/24".parse().unwrap()).await.unwrap();
    nl.set_up(a, "br0").await.unwrap();
    nl.ensure_veth(a, "vb", "eth0", b).await.unwrap();
    nl.set_master(a, "vb", Some("br0")).await.unwrap();
    nl.set_up(a, "vb").await.unwrap();
    nl.ensure_address(b, "eth0", "10.1.0.2/24".parse().unwrap()).await.unwrap();
    nl.set_up(b, "eth0").await.unwrap();
    nl.set_up(b, "lo").await.unwrap();
}

/// What `ip` shows of a namespace's links, addresses and routes, less what follows the carrier
/// on its own time (operational state, LOWER_UP, linkdown).
fn snapshot(ns: &str) -> Vec<String> {
    let links = ip(ns, &["-o", "link", "show"]);
    let links = links.lines().map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let admin_up = words[2].trim_matches(['<', '>']).split(',').any(|flag| flag == "UP");
        let kept = words.windows(2).filter(|w| ["mtu", "master", "link/ether"].contains(&w[0]));
        let kept: Vec<String> = kept.map(|w| w.join(" ")).collect();
        format!("{} {} up={admin_up} {}", words[0], words[1], kept.join(" "))
    });
    let addrs = ip(ns, &["-o", "-4", "addr", "show"]);
    let routes = ip(ns, &["route", "show"]).replace(" linkdown", "");
    links.chain(addrs.lines().map(str::to_owned)).chain(routes.lines().map(str::to_owned)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn a_bridge_and_a_veth_between_two_namespaces_carry_a_ping() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    bridge_and_veth(&nl, &names).await;

    assert!(ip(names.name(0), &["-d", "link", "show", "vb"]).contains("master br0"));
    assert!(ip(names.name(0), &["-d", "link", "show", "br0"]).contains("bridge"));
    assert!(ip(names.name(1), &["-d", "link", "show", "eth0"]).contains("veth"));
    assert!(ip(names.name(1), &["-o", "addr"]).contains("inet 10.1.0.2/24"));
    assert!(pings(names.name(0), "10.1.0.2"));
}

#[tokio::test]
#[ignore = "needs root"]
async fn ensuring_everything_twice_changes_nothing() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    bridge_and_veth(&nl, &names).await;
    let before = (snapshot(names.name(0)), snapshot(names.name(1)));
    bridge_and_veth(&nl, &names).await;
    assert_eq!((snapshot(names.name(0)), snapshot(names.name(1))), before);
}

#[tokio::test]
#[ignore = "needs root"]
async fn links_are_reported_as_ip_shows_them() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    bridge_and_veth(&nl, &names).await;
    let links = nl.list_links(names.ns(0)).await.unwrap();
    let port = links.iter().find(|link| link.name == "vb").unwrap();
    assert_eq!(
        (port.kind.clone(), port.master.as_deref(), port.up),
        (LinkKind::Veth, Some("br0"), true)
    );
    let bridge = nl.link(names.ns(0), "br0").await.unwrap().unwrap();
    assert_eq!(bridge.kind, LinkKind::Bridge);
    let mac = bridge.mac.unwrap().to_string();
    assert!(ip(names.name(0), &["link", "show", "br0"]).contains(&format!("link/ether {mac}")));
    assert_eq!(nl.link_mac(names.ns(0), "br0").await.unwrap(), bridge.mac);
    assert!(nl.link(names.ns(0), "nothing").await.unwrap().is_none());
    assert!(!nl.link_exists(names.ns(1), "vb").await.unwrap());

    nl.set_master(names.ns(0), "vb", None).await.unwrap();
    nl.set_down(names.ns(0), "vb").await.unwrap();
    let port = nl.link(names.ns(0), "vb").await.unwrap().unwrap();
    assert_eq!((port.master, port.up), (None, false));
    assert!(!ip(names.name(0), &["-d", "link", "show", "vb"]).contains("master"));
}

#[tokio::test]
#[ignore = "needs root"]
async fn mtu_is_set_as_asked() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    bridge_and_veth(&nl, &names).await;
    nl.ensure_bridge(names.ns(0), "br0", Some(1400)).await.unwrap();
    nl.set_mtu(names.ns(0), "vb", 1400).await.unwrap();
    nl.set_mtu(names.ns(1), "eth0", 1400).await.unwrap();
    assert!(ip(names.name(0), &["link", "show", "br0"]).contains("mtu 1400 "));
    assert!(ip(names.name(0), &["link", "show", "vb"]).contains("mtu 1400 "));
    assert!(ip(names.name(1), &["link", "show", "eth0"]).contains("mtu 1400 "));
    nl.ensure_bridge(names.ns(0), "br0", Some(1380)).await.unwrap();
    assert_eq!(nl.link(names.ns(0), "br0").await.unwrap().unwrap().mtu, 1380);
    let err = nl.set_mtu(names.ns(0), "vb", 10).await.unwrap_err();
    assert!(matches!(err, NetlinkError::Kernel { .. }), "{err}");
}

#[tokio::test]
#[ignore = "needs root"]
async fn neigh_suppress_is_set_on_a_bridge_port_as_bridge_link_sets_it() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    bridge_and_veth(&nl, &names).await;
    let shown = || run("bridge", &["-n", names.name(0), "-d", "link", "show", "dev", "vb"]);
    assert!(shown().contains("neigh_suppress off"), "{}", shown());
    nl.set_neigh_suppress(names.ns(0), "vb", true).await.unwrap();
    assert!(shown().contains("neigh_suppress on"), "{}", shown());
    nl.set_neigh_suppress(names.ns(0), "vb", true).await.unwrap();
    nl.set_neigh_suppress(names.ns(0), "vb", false).await.unwrap();
    assert!(shown().contains("neigh_suppress off"), "{}", shown());
    // A link with no bridge above it has no port settings: the kernel refuses, by name.
    let err = nl.set_neigh_suppress(names.ns(1), "eth0", true).await.unwrap_err();
    assert!(err.to_string().contains("eth0"), "{err}");
}

#[tokio::test]
#[ignore = "needs root"]
async fn deleting_leaves_nothing() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    bridge_and_veth(&nl, &names).await;
    nl.delete_link(names.ns(0), "vb").await.unwrap();
    nl.delete_link(names.ns(0), "vb").await.unwrap();
    assert!(!succeeds("ip", &["-n", names.name(0), "link", "show", "vb"]));
    assert!(!succeeds("ip", &["-n", names.name(1), "link", "show", "eth0"]));
    nl.delete_link(names.ns(0), "br0").await.unwrap();
    assert_eq!(ip(names.name(0), &["-o", "link", "show"]).lines().count(), 1);

    nl.ensure_veth(names.ns(0), "vb", "eth0", names.ns(1)).await.unwrap();
    nl.delete_netns(names.name(1)).await.unwrap();
    // The pair went with the namespace holding one end.
    assert!(!succeeds("ip", &["-n", names.name(0), "link", "show", "vb"]));
    assert!(!run("ip", &["netns", "ls"]).contains(names.name(1)));
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_pair_whose_peer_was_not_moved_yet_is_finished() {
    let nl = netlink();
    let names = Namespaces::new(&["a", "b"]);
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.ensure_netns(names.name(1)).await.unwrap();
    ip(names.name(0), &["link", "add", "vb", "type", "veth", "peer", "name", "eth0"]);
    let index = nl.link(names.ns(0), "vb").await.unwrap().unwrap().index;
    nl.ensure_veth(names.ns(0), "vb", "eth0", names.ns(1)).await.unwrap();
    assert_eq!(nl.link(names.ns(0), "vb").await.unwrap().unwrap().index, index);
    assert!(!nl.link_exists(names.ns(0), "eth0").await.unwrap());
    assert!(ip(names.name(1), &["-d", "link", "show", "eth0"]).contains("veth"));
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_link_of_another_kind_is_refused_not_replaced() {
    let nl = netlink();
    let names = Namespaces::new(&["a"]);
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.ensure_bridge(names.ns(0), "x0", None).await.unwrap();
    let err = nl.ensure_veth(names.ns(0), "x0", "x1", names.ns(0)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            NetlinkError::KindMismatch { expected: LinkKind::Veth, found: LinkKind::Bridge, .. }
        ),
        "{err}"
    );
    assert!(ip(names.name(0), &["-d", "link", "show", "x0"]).contains("bridge"));
}
