//! Two containers created on the default network with the CLI, metadata set on one, both
//! started: the environment inside equals the metadata, the addresses equal those Create
//! returned, and the two reach each other.

use archipel_testkit::docker;

use crate::harness::{docker_env, Site, IMAGE};

#[test]
fn metadata_becomes_environment_and_containers_reach_each_other() {
    let site = Site::docker(&[]);
    let (a, b) = (site.name("a"), site.name("b"));
    let net = site.popd.default_network.clone();

    let created_a = site.cli_json(&["create", &format!("image={IMAGE}"), &format!("name={a}")]);
    let created_b = site.cli_json(&["create", &format!("image={IMAGE}"), &format!("name={b}")]);
    assert_eq!(created_a["status"], "CREATED");
    let addr_a = created_a["ips"][&net][0].as_str().expect("address of a").to_owned();
    let addr_b = created_b["ips"][&net][0].as_str().expect("address of b").to_owned();
    assert_ne!(addr_a, addr_b);
    // Created means reserved, not running: Docker knows nothing of it yet.
    assert!(docker(&["ps", "-aq", "--filter", &format!("name=^{a}$")]).trim().is_empty());

    site.cli_json(&["md", "set", &a, "PEER=peer-b", "RATE=10", "GONE=soon"]);
    site.cli_json(&["md", "set", &a, "GONE="]);
    let md = site.cli_json(&["md", "get", &a]);
    assert_eq!(md, serde_json::json!({"PEER": "peer-b", "RATE": "10"}));

    let started_a = site.cli_json(&["start", &a]);
    let started_b = site.cli_json(&["start", &b]);
    assert_eq!(started_a["status"], "RUNNING");
    assert_eq!(started_b["status"], "RUNNING");

    let env = docker_env(&a);
    assert_eq!(env.get("PEER").map(String::as_str), Some("peer-b"));
    assert_eq!(env.get("RATE").map(String::as_str), Some("10"));
    assert!(!env.contains_key("GONE"));

    let inside_a = docker(&["exec", &a, "ip", "-4", "-o", "addr", "show", "eth0"]);
    assert!(inside_a.contains(&format!("inet {addr_a}/")), "{inside_a}");
    let inside_b = docker(&["exec", &b, "ip", "-4", "-o", "addr", "show", "eth0"]);
    assert!(inside_b.contains(&format!("inet {addr_b}/")), "{inside_b}");

    docker(&["exec", &a, "ping", "-c", "2", "-W", "2", &addr_b]);
    docker(&["exec", &b, "ping", "-c", "2", "-W", "2", &addr_a]);

    let listed = site.cli_json(&["servers"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    site.cli_json(&["rm", &a, &b]);
}
