//! Auto-heal with a real site: a killed workload comes back with no operator; one that fails at
//! every start is given up after the configured attempts, its alarm raised, nothing leaked.

use std::time::{Duration, Instant};

use archipel_testkit::PopdRuntime;
use serde_json::{json, Value};

use crate::harness::{sipp_nsd, str_of, vnfcs, World};
use crate::heal::{health, raised, until};

/// The heal operations of `ns`.
fn heals(world: &World, ns: &str) -> Vec<Value> {
    let ops = world.cli_json(&["ns", "ops", ns]);
    ops.as_array().unwrap().iter().filter(|op| op["lcmOperationType"] == "HEAL").cloned().collect()
}

#[test]
#[ignore = "needs root"]
fn auto_heal_brings_a_killed_workload_back_native() {
    let world = World::with_nfvo_flags(&[PopdRuntime::Native], &["--auto-heal-backoff", "100"]);
    let site = &world.sites[0];
    let mut nsd = sipp_nsd();
    nsd["name"] = json!(archipel_testkit::unique("sipp-auto"));
    let ns = world.launch(&world.onboard(&nsd), &["--auto-heal"]);
    assert_eq!(ns["autoHeal"], true, "{ns}");
    let ns_id = str_of(&ns["id"]).to_owned();
    let server = vnfcs(&ns, "sipp-server")[0].clone();
    let (name, addr) = (str_of(&server["name"]), str_of(&server["addresses"]["private"]));

    site.kill_workload(name, addr);
    let ns = until(&world, &ns_id, "auto-healed", |ns| {
        vnfcs(ns, "sipp-server")[0]["popId"] != server["popId"]
            && health(ns, "sipp-server") == "HEALTHY"
    });
    assert_eq!(vnfcs(&ns, "sipp-server")[0]["addresses"], server["addresses"]);
    assert_eq!(site.servers()[name]["status"], "RUNNING");
    let heals = heals(&world, &ns_id);
    assert_eq!(heals.len(), 1, "{heals:?}");
    assert_eq!(heals[0]["isAutomaticInvocation"], true);
    assert!(raised(&world, name).is_empty());
}

#[test]
#[ignore = "needs root"]
fn auto_heal_gives_up_on_a_workload_that_always_fails_native() {
    let flags = ["--auto-heal-attempts", "2", "--auto-heal-backoff", "100"];
    let world = World::with_nfvo_flags(&[PopdRuntime::Native], &flags);
    let site = &world.sites[0];
    let nsd = json!({
        "name": archipel_testkit::unique("always-fails"), "vendor": "archipel", "version": "1",
        "vld": [{"name": "net"}],
        "vnfd": [{
            "name": "crasher", "type": "crasher", "endpoint": "docker",
            "vdu": [{"vm_image": ["archipel-test/busybox:latest"], "scale_in_out": 1,
                     "vnfc": [{"connection_point": [{"virtual_link_reference": "net"}]}]}],
            "virtual_link": [{"name": "net"}],
            "configurations": {"name": "c", "configurationParameters":
                [{"confKey": "CMD", "value": "sleep 1; exit 3"}]},
            "deployment_flavour": [{"flavour_key": "docker.container"}]
        }]
    });
    let ns = world.launch(&world.onboard(&nsd), &["--auto-heal"]);
    let ns_id = str_of(&ns["id"]).to_owned();
    let name = str_of(&vnfcs(&ns, "crasher")[0]["name"]).to_owned();

    let deadline = Instant::now() + Duration::from_secs(60);
    while heals(&world, &ns_id).len() < 2 || health(&world.show(&ns_id), "crasher") != "DEGRADED" {
        assert!(Instant::now() < deadline, "never given up: {}", world.nfvo.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    // Longer than a third attempt would wait: none comes.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(heals(&world, &ns_id).len(), 2);
    assert_eq!(raised(&world, &name).len(), 1);
    assert!(world.nfvo.log().contains("auto-heal gave up"));
    let held: Vec<String> = site.servers().into_keys().collect();
    assert_eq!(held, std::slice::from_ref(&name), "one container, the VNFC's own");

    world.cli_json(&["ns", "terminate", &ns_id, "--wait"]);
    assert!(site.servers().is_empty());
    assert!(site.networks().is_empty());
    assert_eq!(site.runtime_leftovers(), "");
}
