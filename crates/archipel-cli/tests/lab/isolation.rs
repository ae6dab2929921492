//! The data plane's isolation and MTU in a lab: VXLAN of a service's VNI from an underlay
//! address that takes no part in it is dropped before any container sees it (also once a
//! restarted agent wrote the rules the kernel lost), a third network
//! at a site of an L3 service reaches nothing remote, and datagrams as large as a container
//! may send cross both kinds of services whole.

use std::net::Ipv4Addr;

use crate::harness::{carries_100_mb, pings, slash23, text, Lab};
use crate::probe::{big_datagrams_cross, container_mtu, send_mark, send_vxlan, Capture};

/// What a container gets over the lab's 1500-byte underlay with VXLAN alone, and with VXLAN
/// inside WireGuard.
const CONTAINER_MTU: u32 = 1450;
const ENCRYPTED_CONTAINER_MTU: u32 = 1390;

/// The master (bridge) of link `link` in namespace `ns`.
fn master_of(ns: &str, link: &str) -> String {
    let out = archipel_testkit::run("ip", &["-n", ns, "-o", "link", "show", link]);
    let out = text(&out.stdout);
    let master = out.split_whitespace().skip_while(|w| *w != "master").nth(1);
    master.unwrap_or_else(|| panic!("{link} has no master: {out}")).to_owned()
}

#[test]
#[ignore = "needs root"]
fn vxlan_from_a_non_participant_is_dropped_and_big_datagrams_cross_an_extension() {
    // Clear VXLAN on the underlay, so that a participant's crafted packet shows the way in.
    let lab = Lab::up_plain_vxlan(2);
    lab.network("a", "net", &lab.subnet.slash24(0));
    let args = ["intersite", "create", "--type", "l2", "--name", "guarded"];
    let service =
        lab.json("a", &[&args[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    let vni = service["params"]["vni"].as_u64().expect("a vni");
    let (a_addr, a_ns) = lab.container("a", "ca", "net");
    let (b_addr, b_ns) = lab.container("b", "cb", "net");
    assert!(pings(&a_ns, b_addr), "{a_addr} does not reach {b_addr}");

    // An intruder on the underlay: an address of the hub namespace, on its bridge.
    let hub = lab.ctx.hub_netns.clone();
    let bridges = text(
        &archipel_testkit::run("ip", &["-n", &hub, "-o", "link", "show", "type", "bridge"]).stdout,
    );
    let underlay_bridge = bridges.split(": ").nth(1).expect("the underlay bridge").to_owned();
    let intruder = Ipv4Addr::from(u32::from(lab.ctx.underlay.network()) + 250);
    let prefix = lab.ctx.underlay.prefix_len();
    archipel_testkit::sh(&format!(
        "ip -n {hub} addr add {intruder}/{prefix} dev {underlay_bridge}"
    ));

    let b = lab.ctx.site("b").unwrap();
    let (b_site, b_underlay) = (b.netns.clone(), b.underlay_ip);
    let bridge = master_of(&b_site, &format!("vx{vni}"));
    let intrusion = |round: &str| {
        let (intruder_mark, participant_mark) = (format!("in-{round}"), format!("ok-{round}"));
        let mut capture = Capture::start(&b_site, &bridge);
        send_vxlan(&hub, b_underlay, vni, (a_addr, b_addr), &intruder_mark);
        // The same packet from a participant's underlay address reaches the bridge: had the
        // intruder's passed, the capture would hold it before this one.
        send_vxlan(&lab.netns("a"), b_underlay, vni, (a_addr, b_addr), &participant_mark);
        capture.wait_for(&participant_mark);
        let seen = capture.stop();
        let got_in = seen.iter().any(|l| l.contains(&intruder_mark));
        assert!(!got_in, "the intruder got in ({round}): {seen:?}");
    };
    intrusion("first");

    // Rules the kernel lost (flushed by hand here) are written again by a restarted agent.
    let chain = format!("ARCHIPEL-VX{vni}");
    let iptables = format!("ip netns exec {b_site} iptables");
    archipel_testkit::sh(&format!(
        "{iptables} -F INPUT && {iptables} -F {chain} && {iptables} -X {chain}"
    ));
    let restarted = lab.lab(&["restart-agent", "b"]);
    assert!(restarted.status.success(), "{}", text(&restarted.stderr));
    let hooked = || archipel_testkit::sh(&format!("{iptables} -S INPUT")).contains(&chain);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !hooked() {
        assert!(std::time::Instant::now() < deadline, "the restarted agent left {chain} out");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    intrusion("after-restart");

    let mtu = container_mtu(&a_ns);
    eprintln!("container MTU over a 1500-byte underlay (VXLAN, clear): {mtu}");
    assert_eq!(mtu, CONTAINER_MTU);
    assert_eq!(container_mtu(&b_ns), CONTAINER_MTU);
    big_datagrams_cross(&a_ns, &b_ns, b_addr, mtu);
    lab.down();
}

#[test]
#[ignore = "needs root"]
fn a_third_network_reaches_nothing_remote_and_big_datagrams_and_100_mb_cross_a_clear_route() {
    a_third_network_reaches_nothing_remote(Lab::up_plain_vxlan(2), CONTAINER_MTU, "clear");
}

#[test]
#[ignore = "needs root"]
fn a_third_network_reaches_nothing_remote_and_big_datagrams_and_100_mb_cross_an_encrypted_route() {
    a_third_network_reaches_nothing_remote(Lab::up(2), ENCRYPTED_CONTAINER_MTU, "encrypted");
}

fn a_third_network_reaches_nothing_remote(lab: Lab, expected_mtu: u32, kind: &str) {
    lab.network("a", "one", &slash23(&lab.subnet, 2));
    lab.network("b", "two", &slash23(&lab.subnet, 3));
    lab.network("a", "third", &lab.subnet.slash24(8));
    let args = ["intersite", "create", "--type", "l3", "--name", "routed"];
    let service =
        lab.json("a", &[&args[..], &["--resource", "a:one", "--resource", "b:two"]].concat());
    let vni = service["params"]["vni"].as_u64().expect("a vni");
    let (a_addr, a_ns) = lab.container("a", "ca", "one");
    let (b_addr, b_ns) = lab.container("b", "cb", "two");
    let (x_addr, x_ns) = lab.container("a", "cx", "third");
    assert!(pings(&a_ns, b_addr), "{a_addr} does not reach {b_addr}");
    assert!(pings(&b_ns, a_addr), "{b_addr} does not reach {a_addr}");

    // What leaves site a for the service's subnets crosses b's transit device.
    let mut capture = Capture::start(&lab.netns("b"), &format!("vt{vni}"));
    send_mark(&x_ns, b_addr, "third-network");
    send_mark(&a_ns, b_addr, "joined-network");
    capture.wait_for("joined-network");
    let seen = capture.stop();
    assert!(!seen.iter().any(|l| l.contains("third-network")), "{x_addr} got through: {seen:?}");

    let mtu = container_mtu(&a_ns);
    eprintln!("container MTU over a 1500-byte underlay (L3 transit, {kind}): {mtu}");
    assert_eq!(mtu, expected_mtu);
    big_datagrams_cross(&a_ns, &b_ns, b_addr, mtu);
    big_datagrams_cross(&b_ns, &a_ns, a_addr, mtu);
    carries_100_mb(&a_ns, &b_ns, b_addr);
    lab.down();
}
