//! One network service across sites: the NFVO extends a virtual link that spans sites through
//! the agents, SIPp calls cross the sites, the extension follows scaling, and terminate, a cut
//! site or a failing site leave nothing anywhere.

use std::net::Ipv4Addr;

use serde_json::{json, Value};

use crate::harness::{text, Lab, Stream};
use crate::orchestrator::{ended, s, sipp_nsd, successful_calls, vnfcs, vnfd_mut, Orchestrator};
use crate::secrets;

pub const CALLS: u32 = 5;

/// Whether `addr` is in one of the pools the extension handed `site`.
fn in_pool(service: &Value, site: &str, addr: Ipv4Addr) -> bool {
    service["params"]["pools"][site].as_array().is_some_and(|pools| {
        pools.iter().any(|p| {
            let first: Ipv4Addr = s(&p["first"]).parse().unwrap();
            let last: Ipv4Addr = s(&p["last"]).parse().unwrap();
            (first..=last).contains(&addr)
        })
    })
}

/// Nothing of network `net` remains at `site`: no container, no such network, no tunnel, no
/// inter-site service.
pub fn assert_clean(lab: &Lab, site: &str, net: &str) {
    assert_eq!(lab.json(site, &["pop", "servers"]), json!([]), "containers left at {site}");
    let networks = lab.json(site, &["pop", "networks"]);
    let names: Vec<&str> =
        networks.as_array().unwrap().iter().filter_map(|n| n["name"].as_str()).collect();
    assert!(!names.contains(&net), "network {net} left at {site}: {networks}");
    let tunnels: Vec<String> =
        lab.links(site).into_iter().filter(|l| l.starts_with("vx")).collect();
    assert!(tunnels.is_empty(), "tunnels left at {site}: {tunnels:?}");
    assert_eq!(lab.json(site, &["intersite", "ls"]), json!([]), "services left at {site}");
}

/// A client instance ran its calls to the end, every one answered.
pub fn assert_calls(lab: &Lab, site: &str, name: &str) {
    let c = ended(lab, site, name);
    let (count, log) = successful_calls(lab, site, name);
    assert_eq!(
        (c["status"].as_str(), count),
        (Some("EXITED"), Some(u64::from(CALLS))),
        "{c}\n{log}"
    );
}

#[test]
#[ignore = "needs root"]
fn sipp_calls_cross_sites_and_the_extension_follows_scaling() {
    let lab = Lab::up(3);
    let o = Orchestrator::over(&lab);
    let nsd = o.onboard_sipp("sipp-split", CALLS);
    let out = o.launch(&nsd, &[("sipp-server", "a"), ("sipp-client", "b")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), o.nfvo.log());
    let ns: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let id = s(&ns["id"]).to_owned();
    let extension = &ns["extensionInfo"][0];
    assert_eq!(extension["vimIds"], json!(["a", "b"]), "{ns}");
    let net = s(&extension["network"]).to_owned();

    let server = &vnfcs(&ns, "sipp-server")[0];
    let client = &vnfcs(&ns, "sipp-client")[0];
    let server_addr: Ipv4Addr = s(&server["addresses"]["private"]).parse().unwrap();
    let client_addr: Ipv4Addr = s(&client["addresses"]["private"]).parse().unwrap();
    assert_eq!(client["metadata"]["SERVER_PRIVATE"], server_addr.to_string(), "{client}");
    let subnet: ipnet::Ipv4Net = s(&ns["virtualLinkInfo"][0]["subnet"]).parse().unwrap();
    assert!(subnet.contains(&server_addr) && subnet.contains(&client_addr), "{ns}");
    let service = &lab.json("a", &["intersite", "ls"])[0];
    assert!(in_pool(service, "a", server_addr), "{server_addr} not in a's pool: {service}");
    assert!(in_pool(service, "b", client_addr), "{client_addr} not in b's pool: {service}");
    assert_calls(&lab, "b", s(&client["name"]));

    // A stream between a and b while site c joins: not one connection lost.
    let (_, a_ns) = lab.container("a", "iperf-a", &net);
    let (b_addr, b_ns) = lab.container("b", "iperf-b", &net);
    let stream = Stream::start(&a_ns, &b_ns, b_addr);
    let scaled = o.json(&["ns", "scale", &id, "sipp-client", "--to", "2", "--site", "c", "--wait"]);
    stream.assert_unbroken("while c joined");

    assert_eq!(scaled["extensionInfo"][0]["vimIds"], json!(["a", "b", "c"]), "{scaled}");
    let at_c: Vec<Value> =
        vnfcs(&scaled, "sipp-client").into_iter().filter(|v| v["vimId"] == "c").collect();
    assert_eq!(at_c.len(), 1, "{scaled}");
    assert_eq!(at_c[0]["metadata"]["SERVER_PRIVATE"], server_addr.to_string());
    assert_calls(&lab, "c", s(&at_c[0]["name"]));

    let back = o.json(&["ns", "scale", &id, "sipp-client", "--to", "1", "--wait"]);
    assert_eq!(back["extensionInfo"][0]["vimIds"], json!(["a", "b"]), "{back}");
    assert_clean(&lab, "c", &net);

    for (site, name) in [("a", "iperf-a"), ("b", "iperf-b")] {
        assert!(lab.cli(site, &["pop", "rm", name]).status.success());
    }
    let ended = o.json(&["ns", "terminate", &id, "--wait"]);
    assert_eq!(ended["status"], "TERMINATED", "{ended}");
    for site in ["a", "b", "c"] {
        assert_clean(&lab, site, &net);
    }
    secrets::assert_kept(&lab, o.nfvo.data_dir.path());
    drop(o);
    lab.down();
}

#[test]
#[ignore = "needs root"]
fn one_site_makes_no_extension_and_failures_leave_nothing_anywhere() {
    let lab = Lab::up(2);
    let o = Orchestrator::over(&lab);
    // Each popd has a default network of its own.
    let networks = |site| lab.json(site, &["pop", "networks"]);
    let before = [networks("a"), networks("b")];
    let nsd = o.onboard_sipp("sipp-local", CALLS);
    let out = o.launch(&nsd, &[("sipp-server", "b"), ("sipp-client", "b")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), o.nfvo.log());
    let ns: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ns["extensionInfo"], json!([]), "{ns}");
    for site in ["a", "b"] {
        assert_eq!(lab.json(site, &["intersite", "ls"]), json!([]), "a service at {site}");
    }
    let net = s(&ns["virtualLinkInfo"][0]["name"]).to_owned();
    assert_calls(&lab, "b", s(&vnfcs(&ns, "sipp-client")[0]["name"]));
    o.json(&["ns", "terminate", s(&ns["id"]), "--wait"]);
    assert_clean(&lab, "b", &net);

    // Site b cut from the underlay: the launch fails naming it, and leaves nothing.
    lab.set_underlay("b", false);
    let out = o.launch(&nsd, &[("sipp-server", "a"), ("sipp-client", "b")]);
    lab.set_underlay("b", true);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("site b"), "{err}");
    for (site, before) in ["a", "b"].into_iter().zip(&before) {
        assert_clean(&lab, site, "");
        assert_eq!(&networks(site), before, "networks at {site}");
    }

    // The second VNF cannot be made at site b (its image is missing): site a, which already
    // holds the client, the network and the extension, is rolled back too.
    let mut broken = sipp_nsd("sipp-broken", CALLS);
    vnfd_mut(&mut broken, "sipp-server")["vdu"][0]["vm_image"] =
        json!(["archipel-test/missing:latest"]);
    let broken = o.onboard(&broken);
    let out = o.launch(&broken, &[("sipp-server", "b"), ("sipp-client", "a")]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("archipel-test/missing"), "{err}");
    for (site, before) in ["a", "b"].into_iter().zip(&before) {
        assert_clean(&lab, site, "");
        assert_eq!(&networks(site), before, "networks at {site}");
    }
    drop(o);
    lab.down();
}

#[test]
#[ignore = "needs root and docker"]
fn a_service_split_over_a_native_and_a_docker_site_completes_its_calls() {
    let lab = Lab::up_with_docker(2, "b");
    let o = Orchestrator::over(&lab);
    let nsd = o.onboard_sipp("sipp-mixed", CALLS);
    let out = o.launch(&nsd, &[("sipp-server", "a"), ("sipp-client", "b")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), o.nfvo.log());
    let ns: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ns["extensionInfo"][0]["vimIds"], json!(["a", "b"]), "{ns}");
    let net = s(&ns["extensionInfo"][0]["network"]).to_owned();
    let b_net = lab.json("b", &["pop", "networks"]);
    let docker_net = b_net.as_array().unwrap().iter().find(|n| n["name"] == net.as_str());
    // Docker cannot change a network's MTU later: it had the tunnel's from the start (the
    // underlay's 1500 less WireGuard's 60 and VXLAN's 50).
    assert_eq!(docker_net.map(|n| n["mtu"].clone()), Some(json!(1390)), "{b_net}");
    assert_calls(&lab, "b", s(&vnfcs(&ns, "sipp-client")[0]["name"]));

    o.json(&["ns", "terminate", s(&ns["id"]), "--wait"]);
    let networks = |site| lab.json(site, &["pop", "networks"]);
    let before = [networks("a"), networks("b")];
    for site in ["a", "b"] {
        assert_clean(&lab, site, &net);
    }

    // The second VNF fails to start at site b (Docker cannot run its entrypoint) after the
    // first started at site a: site a is rolled back too.
    let mut broken = sipp_nsd("sipp-unstartable", CALLS);
    vnfd_mut(&mut broken, "sipp-client")["vdu"][0]["vm_image"] = json!([unstartable_image()]);
    let broken = o.onboard(&broken);
    let out = o.launch(&broken, &[("sipp-server", "a"), ("sipp-client", "b")]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("at step start"), "{err}");
    assert!(err.contains("site b"), "{err}");
    for (site, before) in ["a", "b"].into_iter().zip(&before) {
        assert_clean(&lab, site, "");
        assert_eq!(&networks(site), before, "networks at {site}");
    }
    let instance = format!("label=archipel.popd={}-b", lab.ctx.name);
    drop(o);
    lab.down();
    let left = archipel_testkit::docker(&["ps", "-aq", "--filter", &instance]);
    let nets = archipel_testkit::docker(&["network", "ls", "-q", "--filter", &instance]);
    assert_eq!((left.trim(), nets.trim()), ("", ""), "Docker objects of site b are left");
}

/// A Docker image whose entrypoint does not exist: it is created, and fails to start.
fn unstartable_image() -> &'static str {
    const IMAGE: &str = "archipel-test/unstartable:latest";
    let dockerfile = "FROM archipel-test/busybox:latest\nENTRYPOINT [\"/no/such/program\"]\n";
    let mut build = std::process::Command::new("docker")
        .args(["build", "--quiet", "--tag", IMAGE, "-"])
        .env("DOCKER_BUILDKIT", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("docker build");
    use std::io::Write as _;
    build.stdin.take().expect("stdin").write_all(dockerfile.as_bytes()).expect("a Dockerfile");
    let out = build.wait_with_output().expect("docker build ends");
    assert!(out.status.success(), "docker build failed: {}", text(&out.stderr));
    IMAGE
}

#[test]
#[ignore = "needs root"]
fn a_terminate_with_a_site_cut_off_names_it_and_the_site_leaves_once_back() {
    let lab = Lab::up(2);
    let o = Orchestrator::over(&lab);
    let nsd = o.onboard_sipp("sipp-cut", CALLS);
    let out = o.launch(&nsd, &[("sipp-server", "a"), ("sipp-client", "b")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), o.nfvo.log());
    let ns: Value = serde_json::from_slice(&out.stdout).unwrap();
    let net = s(&ns["extensionInfo"][0]["network"]).to_owned();

    lab.set_underlay("b", false);
    let ended = o.json(&["ns", "terminate", s(&ns["id"]), "--wait"]);
    assert_eq!(ended["status"], "TERMINATED", "{ended}");
    let ops = o.json(&["ns", "ops"]);
    let terminate = ops.as_array().unwrap().iter().find(|op| op["lcmOperationType"] == "TERMINATE");
    let detail = terminate.and_then(|op| op["stepDetail"].as_str()).unwrap_or_default();
    assert!(detail.contains("sites b were unreachable"), "{ops}");
    assert_clean(&lab, "a", &net);

    // Back on the underlay: the master's convergence pass has b leave.
    lab.set_underlay("b", true);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    // Leaving ends with forgetting the service: then the rest is gone too.
    while lab.json("b", &["intersite", "ls"]) != json!([]) {
        assert!(std::time::Instant::now() < deadline, "b never left: {:?}", lab.links("b"));
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert_clean(&lab, "b", &net);
    drop(o);
    lab.down();
}
