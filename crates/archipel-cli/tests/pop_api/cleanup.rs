//! After `rm` of every container and removal of the networks Archipel made, the runtime shows
//! nothing of Archipel's (`docker ps -a` and `docker network ls`; or no namespace and no
//! bridge).

use archipel_testkit::PopdRuntime;

use crate::harness::{Site, IMAGE};

crate::on_both_runtimes!(rm_and_network_rm_leave_nothing_in_the_runtime);

async fn rm_and_network_rm_leave_nothing_in_the_runtime(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let extra = format!("{}-extra", site.popd.name);
    let subnet = site.subnet.slash24(1);
    let net = site.cli_json(&["network", "create", &extra, "--subnet", &subnet, "--mtu", "1400"]);
    assert_eq!(net["name"], extra.as_str());
    assert!(!net["bridge"].as_str().unwrap_or_default().is_empty(), "{net}");

    let (a, b, c) = (site.name("a"), site.name("b"), site.name("c"));
    site.cli_json(&["spawn", &format!("image={IMAGE}"), &format!("name={a}")]);
    site.cli_json(&[
        "spawn",
        &format!("image={IMAGE}"),
        &format!("name={b}"),
        &format!("net={extra}"),
    ]);
    site.cli_json(&[
        "create",
        &format!("image={IMAGE}"),
        &format!("name={c}"),
        &format!("net={extra}"),
    ]);
    site.cli_json(&["stop", &b]);

    // A network in use cannot go.
    let busy = site.cli(&["network", "rm", &extra]);
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("FAILED_PRECONDITION"));

    let bridges: Vec<String> = site
        .cli_json(&["networks"])
        .as_array()
        .expect("network list")
        .iter()
        .filter_map(|n| n["bridge"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(bridges.len(), 2);

    site.cli_json(&["rm", &a, &b, &c]);
    site.cli_json(&["network", "rm", &extra]);
    site.cli_json(&["network", "rm", &site.popd.default_network.clone()]);

    assert_eq!(site.leftovers(&bridges), "", "something of Archipel's is left");
    assert_eq!(site.cli_json(&["servers"]), serde_json::json!([]));
}
