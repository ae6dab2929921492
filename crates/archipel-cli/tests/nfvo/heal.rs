//! The watch and heal with real sites: a VNFC's workload killed behind popd's back shows on
//! the records with an alarm, which `ns ack` acknowledges; `ns heal` brings it back with the same address and environment,
//! and a SIPp client completes calls against the healed server. A site that stops answering
//! shows UNKNOWN, then the truth again.

use std::time::{Duration, Instant};

use archipel_testkit::PopdRuntime;
use serde_json::{json, Value};

use crate::harness::{sipp_calls, sipp_nsd, str_of, vnfcs, Site, World};

/// How long the watch has to show what happened at a site.
const REACTION: Duration = Duration::from_secs(60);

/// Polls `ns show ID` until `ready` holds; returns the network service.
pub fn until(world: &World, id: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + REACTION;
    loop {
        let ns = world.show(id);
        if ready(&ns) {
            return ns;
        }
        assert!(Instant::now() < deadline, "never {what}: {ns}\nnfvo log:\n{}", world.nfvo.log());
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The health state of VNF `vnf`'s first VNFC instance.
pub fn health(ns: &Value, vnf: &str) -> String {
    str_of(&vnfcs(ns, vnf)[0]["health"]["state"]).to_owned()
}

/// The alarms still raised on VNFC instance `vnfc`.
pub fn raised(world: &World, vnfc: &str) -> Vec<Value> {
    let alarms = world.cli_json(&["ns", "alarms", "--raised"]);
    let alarms = alarms.as_array().unwrap().iter();
    alarms.filter(|a| a["rootCauseFaultyResource"]["vnfcInstanceName"] == vnfc).cloned().collect()
}

/// Polls the site until container `name` is `status`.
pub fn until_status(site: &Site, name: &str, status: &str) {
    let deadline = Instant::now() + REACTION;
    loop {
        let held = site.servers().get(name).map(|c| c["status"].clone());
        if held == Some(json!(status)) {
            return;
        }
        assert!(Instant::now() < deadline, "{name} never {status}: {held:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn kill_heal_and_call(rt: PopdRuntime) {
    let world = World::new(&[rt]);
    let site = &world.sites[0];
    let id = world.onboard(&sipp_calls(&archipel_testkit::unique("sipp-heal"), 5));
    let ns = world.launch(&id, &[]);
    let ns_id = str_of(&ns["id"]).to_owned();
    let server = vnfcs(&ns, "sipp-server")[0].clone();
    let (name, addr) = (str_of(&server["name"]), str_of(&server["addresses"]["private"]));
    let client = str_of(&vnfcs(&ns, "sipp-client")[0]["name"]).to_owned();
    // Docker names the host after the container's id, which a heal changes.
    let env_of = |name: &str| {
        let mut env = site.env(name, addr);
        env.remove("HOSTNAME");
        env
    };
    let env = env_of(name);
    let client_metadata = vnfcs(&ns, "sipp-client")[0]["metadata"].clone();
    assert_eq!(client_metadata["SERVER_PRIVATE"], json!(addr), "{ns}");
    // The client makes its 5 calls and ends.
    until_status(site, &client, "EXITED");

    site.kill_workload(name, addr);
    let ns = until(&world, &ns_id, "degraded", |ns| health(ns, "sipp-server") == "DEGRADED");
    assert_eq!(ns["health"]["state"], "DEGRADED", "{ns}");
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let alarm = raised(&world, name).remove(0);
    assert_eq!(alarm["ackState"], "UNACKNOWLEDGED", "{alarm}");

    // An operator acknowledges it; twice is refused, saying why.
    let alarm_id = str_of(&alarm["id"]);
    let out = world.cli(&["ns", "ack", alarm_id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(raised(&world, name)[0]["ackState"], "ACKNOWLEDGED");
    let again = world.cli(&["ns", "ack", alarm_id]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("ACKNOWLEDGED already"));

    let ns = world.cli_json(&["ns", "heal", &ns_id, "--vnfc", name, "--wait"]);
    assert_eq!(health(&ns, "sipp-server"), "HEALTHY", "{ns}");
    let healed = &vnfcs(&ns, "sipp-server")[0];
    assert_eq!(healed["addresses"], server["addresses"], "{healed}");
    assert_ne!(healed["popId"], server["popId"], "{healed}");
    assert_eq!(site.servers()[name]["status"], "RUNNING");
    assert_eq!(env_of(name), env, "the healed server's environment");
    assert!(raised(&world, name).is_empty());

    // The client, healed too, keeps the dependency values and completes its calls against
    // the healed server.
    let ns = world.cli_json(&["ns", "heal", &ns_id, "--vnfc", &client, "--wait"]);
    assert_eq!(vnfcs(&ns, "sipp-client")[0]["metadata"], client_metadata, "{ns}");
    until_status(site, &client, "EXITED");
    let log = site.logs(&client);
    assert_eq!(archipel_testkit::sipp_counter(&log, "Successful call"), Some(5), "{log}");
    assert_eq!(site.servers()[&client]["exitCode"], 0);
}

#[test]
#[ignore = "needs root"]
fn a_killed_workload_is_seen_and_healed_native() {
    kill_heal_and_call(PopdRuntime::Native);
}

#[test]
#[ignore = "needs docker"]
fn a_killed_workload_is_seen_and_healed_docker() {
    kill_heal_and_call(PopdRuntime::Docker);
}

#[test]
#[ignore = "needs docker"]
fn a_site_that_stops_answering_shows_unknown_then_the_truth_docker() {
    let flags = ["--watch-probe", "200", "--pop-timeout", "2"];
    let world = World::with_nfvo_flags(&[PopdRuntime::Docker], &flags);
    let site = &world.sites[0];
    let mut nsd = sipp_nsd();
    nsd["name"] = json!(archipel_testkit::unique("sipp-cut"));
    let ns = world.launch(&world.onboard(&nsd), &[]);
    let ns_id = str_of(&ns["id"]).to_owned();
    let server = vnfcs(&ns, "sipp-server")[0].clone();
    let sites = world.cli_json(&["site", "ls"]);
    assert_eq!(sites[0]["reachability"], "REACHABLE", "{sites}");

    // popd stopped: it answers nothing, as behind a cut link.
    let popd = site.popd.pid().to_string();
    archipel_testkit::sh(&format!("kill -STOP {popd}"));
    let cut = std::panic::catch_unwind(|| {
        let cut = until(&world, &ns_id, "unknown", |ns| health(ns, "sipp-server") == "UNKNOWN");
        assert_eq!(cut["health"]["state"], "UNKNOWN", "{cut}");
        assert!(raised(&world, str_of(&server["name"])).is_empty(), "unknown is not failed");
        assert_eq!(world.cli_json(&["site", "ls"])[0]["reachability"], "UNREACHABLE");
    });
    // The workload dies while nobody can tell.
    site.kill_workload(str_of(&server["name"]), str_of(&server["addresses"]["private"]));
    archipel_testkit::sh(&format!("kill -CONT {popd}"));
    if let Err(panic) = cut {
        std::panic::resume_unwind(panic);
    }

    let back = until(&world, &ns_id, "the truth", |ns| health(ns, "sipp-server") == "DEGRADED");
    assert_eq!(health(&back, "sipp-client"), "HEALTHY", "{back}");
    assert_eq!(world.cli_json(&["site", "ls"])[0]["reachability"], "REACHABLE");
}
