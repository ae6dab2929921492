//! Issue 17: a Docker Swarm cluster of three nodes as one site (`popd --runtime swarm`). The
//! thesis's semantics hold on it: Create reserves the address and makes nothing in any engine,
//! Start gives the metadata as environment and places the containers on different nodes, where
//! they hold their reserved addresses on the overlay and reach each other; exits end FAILED or
//! EXITED; a popd killed with -9 re-adopts its running containers without restarting them; and
//! rm leaves nothing in any node's engine.

use std::time::{Duration, Instant};

use archipel_testkit::swarm::Swarm;
use archipel_testkit::{require_docker, require_root, sh, PopdProcess, TestSubnet};
use serde_json::Value;

use crate::harness::{BIN, IMAGE};

fn pop(popd: &PopdProcess, args: &[&str]) -> Value {
    let out = popd.cli().args(["pop", "--output", "json"]).args(args).output().expect("archipel");
    archipel_testkit::json_output(&out, &format!("archipel pop {args:?}"), || popd.log())
}

/// The one container `name` as `pop servers` shows it.
fn server(popd: &PopdProcess, name: &str) -> Value {
    pop(popd, &["servers", name]).as_array().and_then(|l| l.first().cloned()).unwrap_or_default()
}

/// Which node runs container `name`, and its start time there.
fn placed(swarm: &Swarm, name: &str) -> (String, String) {
    for node in &swarm.nodes {
        let out = node.docker(&["inspect", "-f", "{{.State.StartedAt}}", name]);
        if out.status.success() {
            return (node.name.clone(), String::from_utf8_lossy(&out.stdout).trim().to_owned());
        }
    }
    panic!("no node holds {name}: {:?}", swarm.containers());
}

/// The site's namespace and the bridge popd shows for network `net` there.
fn site_bridge(popd: &PopdProcess, swarm: &Swarm, net: &str) -> (String, String) {
    let networks = pop(popd, &["networks", net]);
    let shown = networks.as_array().and_then(|l| l.first().cloned()).unwrap_or(networks);
    let site = swarm.site_netns().to_owned();
    assert_eq!(shown["netns"], site.as_str(), "{shown}");
    (site, shown["bridge"].as_str().expect("a bridge").to_owned())
}

fn node<'a>(swarm: &'a Swarm, name: &str) -> &'a archipel_testkit::swarm::Node {
    swarm.nodes.iter().find(|n| n.name == name).expect("a node of the swarm")
}

#[test]
#[ignore = "needs root and docker"]
fn a_swarm_site_reserves_spreads_ends_readopts_and_removes_across_its_nodes() {
    require_root();
    require_docker();
    let swarm = Swarm::up(3, &[IMAGE]);
    let subnet = TestSubnet::lease();
    let mut popd = PopdProcess::start_swarm(BIN, &subnet.slash24(0), &swarm);
    let net = popd.default_network.clone();
    let (a, b, c) =
        (format!("{}-a", popd.name), format!("{}-b", popd.name), format!("{}-c", popd.name));

    // Create reserves: an address each, nothing in any engine yet.
    let created_a = pop(&popd, &["create", &format!("image={IMAGE}"), &format!("name={a}")]);
    let created_b = pop(&popd, &["create", &format!("image={IMAGE}"), &format!("name={b}")]);
    assert_eq!(created_a["status"], "CREATED", "{created_a}");
    let addr = |v: &Value| v["ips"][&net][0].as_str().expect("an address").to_owned();
    let (addr_a, addr_b) = (addr(&created_a), addr(&created_b));
    assert_ne!(addr_a, addr_b);
    assert_eq!(swarm.containers(), Vec::new(), "Create made something in an engine");

    // Start: the metadata as environment, on two nodes, at the reserved addresses.
    pop(&popd, &["md", "set", &a, "PEER=peer-b"]);
    for name in [&a, &b] {
        assert_eq!(pop(&popd, &["start", name])["status"], "RUNNING");
    }
    let ((node_a, started_a), (node_b, started_b)) = (placed(&swarm, &a), placed(&swarm, &b));
    assert_ne!(node_a, node_b, "both containers on one node");
    let env = node(&swarm, &node_a).docker_ok(&["exec", &a, "env"]);
    assert!(env.lines().any(|l| l == "PEER=peer-b"), "{env}");
    let inside = node(&swarm, &node_a).docker_ok(&["exec", &a, "ip", "-4", "-o", "addr"]);
    assert!(inside.contains(&format!("inet {addr_a}/")), "{inside}");
    let ping = node(&swarm, &node_a).docker(&["exec", &a, "ping", "-c", "1", "-W", "5", &addr_b]);
    assert!(ping.status.success(), "{a} on {node_a} cannot reach {b} on {node_b}: {ping:?}");

    // The site's bridge of the network, where an agent attaches its tunnel, is one L2 segment
    // with the containers of every node: an address there answers both.
    let (site, bridge) = site_bridge(&popd, &swarm, &net);
    let outside = subnet.slash24(0).replace(".0/24", ".250");
    sh(&format!("ip -n {site} addr add {outside}/24 dev {bridge}"));
    for (name, on) in [(&a, &node_a), (&b, &node_b)] {
        let ping = node(&swarm, on).docker(&["exec", name, "ping", "-c", "1", "-W", "5", &outside]);
        assert!(ping.status.success(), "{name} on {on} cannot reach the site's bridge: {ping:?}");
    }

    // A workload that fails ends FAILED with its code.
    pop(&popd, &["create", &format!("image={IMAGE}"), &format!("name={c}")]);
    pop(&popd, &["md", "set", &c, "CMD=sleep 1; exit 3"]);
    pop(&popd, &["start", &c]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let ended = loop {
        let now = server(&popd, &c);
        if now["status"] == "FAILED" || Instant::now() > deadline {
            break now;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!((&ended["status"], &ended["exitCode"]), (&Value::from("FAILED"), &Value::from(3)));

    // kill -9 and a restart: both re-adopted running, neither restarted.
    popd.restart();
    for (name, node_was, started_was) in [(&a, &node_a, &started_a), (&b, &node_b, &started_b)] {
        assert_eq!(server(&popd, name)["status"], "RUNNING", "{name} after popd's restart");
        assert_eq!(&placed(&swarm, name), &(node_was.clone(), started_was.clone()));
    }

    // rm, and the network: nothing left in any node's engine.
    pop(&popd, &["rm", &a, &b, &c]);
    assert_eq!(swarm.containers(), Vec::new(), "rm left containers");
    pop(&popd, &["network", "rm", &net]);
    let networks = swarm.nodes[0].docker_ok(&["network", "ls", "--format", "{{.Name}}"]);
    assert!(!networks.lines().any(|n| n == net), "{networks}");
    let links = sh(&format!("ip -n {site} -o link"));
    assert!(!links.contains(&bridge) && !links.contains(" as-"), "left at the site: {links}");
    assert_eq!(pop(&popd, &["servers"]), serde_json::json!([]));
}
