use std::net::Ipv4Addr;

use archipel_netlink::{Netlink, NetlinkError, RtNetlink, VxlanConfig};

use crate::common::{ip, netlink, pings, run, Namespaces};

const VNI: u32 = 100;

fn addr(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

/// Site `i` of two (namespaces 0 and 1), joined by an underlay veth `u0` (192.0.2.1/24 and
/// 192.0.2.2/24): a bridge br0 holding VXLAN vx100 toward the other site, and a container
/// namespace (2 and 3) with `eth0` (10.50.0.1/24 and 10.50.0.2/24) on the bridge.
async fn site(nl: &RtNetlink, names: &Namespaces, i: usize) {
    let (ns, container) = (names.ns(i), names.ns(i + 2));
    let (local, remote) =
        if i == 0 { ("192.0.2.1", "192.0.2.2") } else { ("192.0.2.2", "192.0.2.1") };
    nl.ensure_address(ns, "u0", format!("{local}/24").parse().unwrap()).await.unwrap();
    nl.set_up(ns, "u0").await.unwrap();
    nl.ensure_bridge(ns, "br0", Some(1450)).await.unwrap();
    nl.set_up(ns, "br0").await.unwrap();
    let mut config = VxlanConfig::new(format!("vx{VNI}"), VNI, addr(local));
    config.underlay = Some("u0".into());
    nl.ensure_vxlan(ns, &config).await.unwrap();
    nl.set_master(ns, &config.name, Some("br0")).await.unwrap();
    nl.set_up(ns, &config.name).await.unwrap();
    nl.fdb_flood_add(ns, &config.name, addr(remote)).await.unwrap();

    nl.ensure_netns(names.name(i + 2)).await.unwrap();
    nl.ensure_veth(ns, "c0", "eth0", container).await.unwrap();
    nl.set_master(ns, "c0", Some("br0")).await.unwrap();
    nl.set_mtu(ns, "c0", 1450).await.unwrap();
    nl.set_up(ns, "c0").await.unwrap();
    nl.set_mtu(container, "eth0", 1450).await.unwrap();
    nl.ensure_address(container, "eth0", format!("10.50.0.{}/24", i + 1).parse().unwrap())
        .await
        .unwrap();
    nl.set_up(container, "eth0").await.unwrap();
}

async fn two_sites(nl: &RtNetlink, names: &Namespaces) {
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.ensure_netns(names.name(1)).await.unwrap();
    nl.ensure_veth(names.ns(0), "u0", "u0", names.ns(1)).await.unwrap();
    site(nl, names, 0).await;
    site(nl, names, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn containers_of_two_sites_ping_across_the_vxlan() {
    let nl = netlink();
    let names = Namespaces::new(&["s1", "s2", "c1", "c2"]);
    two_sites(&nl, &names).await;

    let device = ip(names.name(0), &["-d", "link", "show", "vx100"]);
    assert!(device.contains("vxlan id 100 local 192.0.2.1 dev u0"), "{device}");
    assert!(device.contains("dstport 4789"), "{device}");
    assert!(device.contains("mtu 1450 "), "{device}");
    assert!(device.contains("master br0"), "{device}");
    let fdb = run("bridge", &["-n", names.name(0), "fdb", "show", "dev", "vx100"]);
    assert!(fdb.contains("00:00:00:00:00:00 dst 192.0.2.2"), "{fdb}");

    assert!(pings(names.name(2), "10.50.0.2"));
    assert!(pings(names.name(3), "10.50.0.1"));
}

#[tokio::test]
#[ignore = "needs root"]
async fn ensuring_a_site_twice_keeps_one_device_and_one_flood_entry() {
    let nl = netlink();
    let names = Namespaces::new(&["s1", "s2", "c1", "c2"]);
    two_sites(&nl, &names).await;
    let index = nl.link(names.ns(0), "vx100").await.unwrap().unwrap().index;
    site(&nl, &names, 0).await;
    assert_eq!(nl.link(names.ns(0), "vx100").await.unwrap().unwrap().index, index);
    let fdb = run("bridge", &["-n", names.name(0), "fdb", "show", "dev", "vx100"]);
    assert_eq!(fdb.matches("00:00:00:00:00:00 dst").count(), 1, "{fdb}");
    assert_eq!(nl.fdb_flood_list(names.ns(0), "vx100").await.unwrap(), [addr("192.0.2.2")]);
}

#[tokio::test]
#[ignore = "needs root"]
async fn flood_entries_are_added_listed_and_deleted() {
    let nl = netlink();
    let names = Namespaces::new(&["s1", "s2", "c1", "c2"]);
    two_sites(&nl, &names).await;
    let ns = names.ns(0);
    nl.fdb_flood_add(ns, "vx100", addr("192.0.2.9")).await.unwrap();
    assert_eq!(
        nl.fdb_flood_list(ns, "vx100").await.unwrap(),
        [addr("192.0.2.2"), addr("192.0.2.9")]
    );
    nl.fdb_flood_del(ns, "vx100", addr("192.0.2.2")).await.unwrap();
    nl.fdb_flood_del(ns, "vx100", addr("192.0.2.2")).await.unwrap();
    nl.fdb_flood_del(ns, "gone0", addr("192.0.2.2")).await.unwrap();
    assert_eq!(nl.fdb_flood_list(ns, "vx100").await.unwrap(), [addr("192.0.2.9")]);
    let fdb = run("bridge", &["-n", names.name(0), "fdb", "show", "dev", "vx100"]);
    assert!(!fdb.contains("00:00:00:00:00:00 dst 192.0.2.2"), "{fdb}");

    let err = nl.fdb_flood_add(ns, "br0", addr("192.0.2.2")).await.unwrap_err();
    assert!(matches!(err, NetlinkError::KindMismatch { .. }), "{err}");
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_vxlan_with_other_tunnel_parameters_is_replaced() {
    let nl = netlink();
    let names = Namespaces::new(&["s1", "s2", "c1", "c2"]);
    two_sites(&nl, &names).await;
    let mut config = VxlanConfig::new("vx100", 200, addr("192.0.2.1"));
    config.mtu = Some(1400);
    nl.ensure_vxlan(names.ns(0), &config).await.unwrap();
    let device = ip(names.name(0), &["-d", "link", "show", "vx100"]);
    assert!(device.contains("vxlan id 200 local 192.0.2.1 "), "{device}");
    assert!(device.contains("mtu 1400 "), "{device}");
    config.mtu = Some(1300);
    nl.ensure_vxlan(names.ns(0), &config).await.unwrap();
    assert!(ip(names.name(0), &["link", "show", "vx100"]).contains("mtu 1300 "));
}
