//! Two containers created on the default network with the CLI, metadata set on one, both
//! started: the environment inside equals the metadata, the addresses equal those that Create
//! returned, and the two reach each other.

use archipel_testkit::PopdRuntime;

use crate::harness::{Site, IMAGE};

crate::on_both_runtimes!(metadata_becomes_environment_and_containers_reach_each_other);

async fn metadata_becomes_environment_and_containers_reach_each_other(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let (a, b) = (site.name("a"), site.name("b"));
    let net = site.popd.default_network.clone();

    let created_a = site.cli_json(&["create", &format!("image={IMAGE}"), &format!("name={a}")]);
    let created_b = site.cli_json(&["create", &format!("image={IMAGE}"), &format!("name={b}")]);
    assert_eq!(created_a["status"], "CREATED");
    let addr_a = created_a["ips"][&net][0].as_str().expect("address of a").to_owned();
    let addr_b = created_b["ips"][&net][0].as_str().expect("address of b").to_owned();
    assert_ne!(addr_a, addr_b);
    // Created means reserved, not running: the runtime knows nothing of it yet.
    assert!(!site.runs(&a, &addr_a), "a CREATED container already has a workload");

    site.cli_json(&["md", "set", &a, "PEER=peer-b", "RATE=10", "GONE=soon"]);
    site.cli_json(&["md", "set", &a, "GONE="]);
    let md = site.cli_json(&["md", "get", &a]);
    assert_eq!(md, serde_json::json!({"PEER": "peer-b", "RATE": "10"}));

    let started_a = site.cli_json(&["start", &a]);
    let started_b = site.cli_json(&["start", &b]);
    assert_eq!(started_a["status"], "RUNNING");
    assert_eq!(started_b["status"], "RUNNING");

    let env = site.env(&a, &addr_a);
    assert_eq!(env.get("PEER").map(String::as_str), Some("peer-b"));
    assert_eq!(env.get("RATE").map(String::as_str), Some("10"));
    assert!(!env.contains_key("GONE"));
    if rt == PopdRuntime::Native {
        // A native workload's environment is exactly its metadata (the test image has no
        // defaults).
        let want: std::collections::BTreeMap<String, String> =
            [("PEER", "peer-b"), ("RATE", "10")].map(|(k, v)| (k.into(), v.into())).into();
        assert_eq!(env, want);
    }

    let inside_a = site.addr_line(&a, &addr_a);
    assert!(inside_a.contains(&format!("inet {addr_a}/")), "{inside_a}");
    assert_eq!(inside_a.matches("inet ").count(), 1, "{inside_a}");
    let inside_b = site.addr_line(&b, &addr_b);
    assert!(inside_b.contains(&format!("inet {addr_b}/")), "{inside_b}");

    site.ping(&a, &addr_a, &addr_b);
    site.ping(&b, &addr_b, &addr_a);

    let listed = site.cli_json(&["servers"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    site.cli_json(&["rm", &a, &b]);
    assert!(!site.runs(&a, &addr_a) && !site.runs(&b, &addr_b));
}
