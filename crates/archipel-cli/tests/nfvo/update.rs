//! `ns update` with a real site: a VNF's configuration changes in its containers' environment,
//! which are re-created with their names and addresses; the VNFs that do not take the changed
//! parameter keep running.

use archipel_testkit::PopdRuntime;
use serde_json::json;

use crate::harness::{sipp_nsd, str_of, vnfcs, World};

#[test]
#[ignore = "needs root"]
fn a_changed_parameter_reaches_the_containers_native() {
    let world = World::new(&[PopdRuntime::Native]);
    let site = &world.sites[0];
    let mut nsd = sipp_nsd();
    nsd["name"] = json!(archipel_testkit::unique("sipp-update"));
    let ns = world.launch(&world.onboard(&nsd), &[]);
    let id = str_of(&ns["id"]).to_owned();
    let server = vnfcs(&ns, "sipp-server")[0].clone();
    let client = vnfcs(&ns, "sipp-client")[0].clone();
    let (name, addr) = (str_of(&server["name"]), str_of(&server["addresses"]["private"]));

    let set = ["ns", "update", &id, "sipp-server", "--set", "SIPP_RATE=5", "--wait"];
    let updated = world.cli_json(&set);
    assert_eq!(updated["status"], "ACTIVE", "{updated}");
    let after = &vnfcs(&updated, "sipp-server")[0];
    assert_ne!(after["popId"], server["popId"], "the server was re-created");
    assert_eq!(after["addresses"], server["addresses"]);
    assert_eq!(site.env(name, addr).get("SIPP_RATE").map(String::as_str), Some("5"));
    assert_eq!(vnfcs(&updated, "sipp-client")[0]["popId"], client["popId"], "the client ran on");

    // A key no environment can hold is refused, saying why, and nothing changes.
    let out = world.cli(&["ns", "update", &id, "sipp-server", "--set", "1RATE=5"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("environment variable"));

    let back =
        world.cli_json(&["ns", "update", &id, "sipp-server", "--unset", "SIPP_RATE", "--wait"]);
    assert_eq!(back["status"], "ACTIVE", "{back}");
    assert_eq!(site.env(name, addr).get("SIPP_RATE"), None);
    let ops = world.cli_json(&["ns", "ops"]);
    let updates = ops.as_array().unwrap().iter().filter(|op| op["lcmOperationType"] == "UPDATE");
    assert_eq!(updates.count(), 2, "{ops}");
}
