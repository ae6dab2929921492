//! Terminate leaves nothing at the site: no container, no network of the network service, and
//! every address it held free again.

use archipel_testkit::{run, unique, PopdRuntime};

use crate::harness::{all_vnfcs, str_of, World, SIPP_NSD};

#[test]
#[ignore = "needs docker"]
fn terminate_leaves_nothing_at_a_docker_site() {
    terminate_leaves_nothing(PopdRuntime::Docker);
}

#[test]
#[ignore = "needs root"]
fn terminate_leaves_nothing_at_a_native_site() {
    terminate_leaves_nothing(PopdRuntime::Native);
}

fn terminate_leaves_nothing(rt: PopdRuntime) {
    let world = World::new(&[rt]);
    let site = &world.sites[0];
    let nsd = world.cli_json(&["ns", "onboard", SIPP_NSD]);
    let ns = world.launch(str_of(&nsd["id"]), &[]);
    let id = str_of(&ns["id"]).to_owned();
    let ns = world.show(&id);
    let addresses: Vec<String> =
        all_vnfcs(&ns).iter().map(|v| str_of(&v["addresses"]["private"]).to_owned()).collect();
    let network = &ns["virtualLinkInfo"][0];
    let subnet = str_of(&network["subnet"]).to_owned();
    let bridges: Vec<String> = site
        .pop_json(&["networks"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["name"] == network["name"])
        .map(|n| str_of(&n["bridge"]).to_owned())
        .collect();
    assert_eq!(bridges.len(), 1, "the NS's network at the site");

    let ns = world.cli_json(&["ns", "terminate", &id, "--wait"]);
    assert_eq!(ns["status"], "TERMINATED", "{ns}");
    assert_eq!(ns["nsState"], "NOT_INSTANTIATED", "{ns}");
    assert!(all_vnfcs(&ns).is_empty(), "{ns}");
    assert_eq!(ns["virtualLinkInfo"], serde_json::json!([]), "{ns}");

    assert!(site.servers().is_empty(), "{:?}", site.servers());
    assert!(site.networks().is_empty(), "{:?}", site.networks());
    assert_eq!(site.runtime_leftovers(), "");
    if !bridges[0].is_empty() {
        assert!(!run("ip", &["link", "show", &bridges[0]]).status.success(), "{bridges:?}");
    }
    // The subnet and every address are free: a network with the same subnet, and containers
    // at the very addresses, can be made again.
    let reuse = unique("reuse");
    site.pop_json(&["network", "create", &reuse, "--subnet", &subnet]);
    for addr in &addresses {
        let name = format!("{}-{}", site.popd.name, unique("c"));
        let words = [
            "image=archipel-test/busybox:latest".to_owned(),
            format!("name={name}"),
            format!("net={reuse}"),
            format!("ip={addr}"),
        ];
        let args: Vec<&str> =
            ["create"].into_iter().chain(words.iter().map(String::as_str)).collect();
        let created = site.pop_json(&args);
        assert_eq!(created["ips"][&reuse][0], addr.as_str(), "{created}");
    }
    world.cli_json(&["ns", "rm", &id]);
    assert_eq!(world.cli_json(&["ns", "ls"]), serde_json::json!([]));
}
