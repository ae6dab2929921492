//! A launch whose second VNF cannot be created ends FAILED with the reason, and what it made
//! before is gone from the site.

use archipel_testkit::{unique, PopdRuntime};
use serde_json::json;

use crate::harness::{all_vnfcs, sipp_nsd, str_of, vnfd_mut, World};

#[test]
#[ignore = "needs docker"]
fn a_launch_with_an_image_missing_at_its_site_fails_and_leaves_nothing() {
    let world = World::new(&[PopdRuntime::Docker]);
    let site = &world.sites[0];
    let mut nsd = sipp_nsd();
    nsd["name"] = json!("sipp-missing-image");
    // vnfd[1]: the client (vnfd[0]) is created first.
    let missing = format!("archipel-test/{}:latest", unique("missing"));
    vnfd_mut(&mut nsd, "sipp-server")["vdu"][0]["vm_image"] = json!([missing]);
    let id = world.onboard(&nsd);

    let out = world.cli(&["ns", "launch", &id, "--wait"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ended FAILED"), "{stderr}");
    assert!(stderr.contains(&missing), "the reason names the image: {stderr}");

    let ops = world.cli_json(&["ns", "ops"]);
    let op = &ops[0];
    assert_eq!(op["operationState"], "FAILED", "{op}");
    assert_eq!(op["failure"]["step"], "allocate", "{op}");
    assert!(str_of(&op["failure"]["reason"]).contains(&missing), "{op}");

    let ns = world.show(str_of(&op["nsInstanceId"]));
    assert_eq!(ns["status"], "ERROR", "{ns}");
    assert!(str_of(&ns["error"]["reason"]).contains(&missing), "{ns}");
    assert!(all_vnfcs(&ns).is_empty(), "{ns}");
    assert_eq!(ns["virtualLinkInfo"], json!([]), "{ns}");
    assert!(site.servers().is_empty(), "{:?}", site.servers());
    assert!(site.networks().is_empty(), "{:?}", site.networks());
    assert_eq!(site.runtime_leftovers(), "");
}
