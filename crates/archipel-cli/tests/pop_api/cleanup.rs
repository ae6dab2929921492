//! After `rm` of every container and removal of the networks Archipel made, Docker shows
//! nothing of Archipel's.

use archipel_testkit::docker;

use crate::harness::{Site, IMAGE};

#[test]
fn rm_and_network_rm_leave_nothing_in_docker() {
    let site = Site::docker(&[]);
    let label = format!("label=archipel.popd={}", site.popd.name);
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
    assert_eq!(docker(&["ps", "-aq", "--filter", &label]).lines().count(), 2);

    // A network in use cannot go.
    let busy = site.cli(&["network", "rm", &extra]);
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("FAILED_PRECONDITION"));

    site.cli_json(&["rm", &a, &b, &c]);
    site.cli_json(&["network", "rm", &extra]);
    site.cli_json(&["network", "rm", &site.popd.default_network.clone()]);

    assert_eq!(docker(&["ps", "-aq", "--filter", &label]).trim(), "");
    assert_eq!(docker(&["network", "ls", "-q", "--filter", &label]).trim(), "");
    assert_eq!(site.cli_json(&["servers"]), serde_json::json!([]));
}
