//! `kill -9` of the NFVO in the middle of a launch: at its next start the operation ends
//! COMPLETED or ROLLED_BACK, and the site holds exactly what the records say.

use std::time::{Duration, Instant};

use archipel_testkit::PopdRuntime;
use serde_json::json;

use crate::harness::{all_vnfcs, assert_site_matches, sipp_nsd, str_of, vnfd_mut, World};

#[test]
#[ignore = "needs docker"]
fn a_launch_interrupted_by_kill_9_is_finished_or_undone_at_restart() {
    let mut world = World::new(&[PopdRuntime::Docker]);
    let mut nsd = sipp_nsd();
    nsd["name"] = json!("sipp-crash");
    // More containers, so that the launch is still running when the NFVO dies.
    let vdu = &mut vnfd_mut(&mut nsd, "sipp-client")["vdu"][0];
    let vnfc = vdu["vnfc"][0].clone();
    vdu["vnfc"] = json!([vnfc.clone(), vnfc.clone(), vnfc.clone(), vnfc]);
    let id = world.onboard(&nsd);

    let op = world.cli_json(&["ns", "launch", &id]);
    let op_id = str_of(&op["id"]).to_owned();
    let ns_id = str_of(&op["nsInstanceId"]).to_owned();
    // Killed once containers are being made (or, if the launch was quicker, after it).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ops = world.cli_json(&["ns", "ops"]);
        let now = ops.as_array().unwrap().iter().find(|o| o["id"] == op_id.as_str()).cloned();
        let now = now.expect("the launch's operation");
        let step = now["currentStep"].as_str().unwrap_or_default();
        if now["operationState"] != "PROCESSING" || !["", "networks"].contains(&step) {
            break;
        }
        assert!(Instant::now() < deadline, "the launch never took a step: {now}");
        std::thread::sleep(Duration::from_millis(20));
    }
    world.nfvo.kill9();
    world.nfvo.restart();

    let op = world.wait_op(&op_id);
    let state = str_of(&op["operationState"]);
    assert!(["COMPLETED", "ROLLED_BACK"].contains(&state), "{op}\n{}", world.nfvo.log());
    let ns = world.show(&ns_id);
    let site = &world.sites[0];
    if state == "COMPLETED" {
        assert_eq!(ns["status"], "ACTIVE", "{ns}");
        assert_eq!(all_vnfcs(&ns).len(), 5, "{ns}");
    } else {
        assert!(all_vnfcs(&ns).is_empty(), "{ns}");
        assert_eq!(ns["virtualLinkInfo"], json!([]), "{ns}");
        assert_eq!(site.runtime_leftovers(), "");
    }
    assert_site_matches(site, &ns);
    let mut networks: Vec<String> = ns["virtualLinkInfo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| str_of(&n["name"]).to_owned())
        .collect();
    networks.sort();
    let mut at_site = site.networks();
    at_site.sort();
    assert_eq!(networks, at_site, "{ns}");
}
