//! The thesis's SIPp service (Appendix C) on one Docker site: the NSD onboards unchanged and
//! launches; the client gets the server's address and its configuration; the server starts
//! first; real SIPp completes calls.

use std::time::{Duration, Instant};

use crate::harness::{
    assert_site_matches, configuration, sipp_calls, sipp_nsd, str_of, vnfcs, World, SIPP_NSD,
};
use archipel_testkit::{docker, PopdRuntime};

#[test]
#[ignore = "needs docker"]
fn the_unchanged_nsd_launches_configured_and_in_order() {
    let world = World::new(&[PopdRuntime::Docker]);
    let site = &world.sites[0];
    let nsd = world.cli_json(&["ns", "onboard", SIPP_NSD]);
    assert_eq!(nsd["nsdName"], "docker-test-NS-sipp");
    let ns = world.launch(str_of(&nsd["id"]), &[]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let ns = world.show(str_of(&ns["id"]));
    assert_site_matches(site, &ns);

    let server = &vnfcs(&ns, "sipp-server")[0];
    let client = &vnfcs(&ns, "sipp-client")[0];
    let server_addr = str_of(&server["addresses"]["private"]);
    let client_name = str_of(&client["name"]);
    let env = site.env(client_name, str_of(&client["addresses"]["private"]));
    assert_eq!(env.get("SERVER_PRIVATE").map(String::as_str), Some(server_addr), "{env:?}");
    let expected = configuration(&sipp_nsd(), "sipp-client");
    assert_eq!(expected.len(), 7, "the NSD's configuration parameters: {expected:?}");
    for (key, value) in &expected {
        assert_eq!(env.get(key), Some(value), "{key} in the client's environment {env:?}");
    }

    // Sources start before their targets: the server's workload before the client's.
    let server_start = started_at(str_of(&server["name"]));
    let client_start = started_at(client_name);
    assert!(server_start <= client_start, "server {server_start:?}, client {client_start:?}");
    let server_log = docker(&["logs", str_of(&server["name"])]);
    assert!(server_log.contains(&format!("listening on {server_addr}:5060")), "{server_log}");
}

#[test]
#[ignore = "needs docker"]
fn sipp_completes_a_fixed_number_of_calls() {
    let world = World::new(&[PopdRuntime::Docker]);
    let site = &world.sites[0];
    let id = world.onboard(&sipp_calls("sipp-five-calls", 5));
    let ns = world.launch(&id, &[]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let client = str_of(&vnfcs(&ns, "sipp-client")[0]["name"]).to_owned();

    let deadline = Instant::now() + Duration::from_secs(120);
    let state = loop {
        let state = docker(&["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", &client]);
        if state.starts_with("exited") {
            break state;
        }
        assert!(Instant::now() < deadline, "the client never exited: {state}");
        std::thread::sleep(Duration::from_millis(300));
    };
    let log = docker(&["logs", &client]);
    assert_eq!(state.trim(), "exited 0", "{log}");
    assert_eq!(archipel_testkit::sipp_counter(&log, "Successful call"), Some(5), "{log}");
    let at_site = &site.servers()[&client];
    assert_eq!(at_site["status"], "EXITED", "{at_site}");
    assert_eq!(at_site["exitCode"], 0, "{at_site}");
}

/// Docker's `State.StartedAt` as (seconds part, nanoseconds): RFC 3339 with the fraction's
/// trailing zeros trimmed, so the strings alone do not order.
fn started_at(container: &str) -> (String, u32) {
    let text = docker(&["inspect", "-f", "{{.State.StartedAt}}", container]);
    let text = text.trim().trim_end_matches('Z');
    let (secs, frac) = text.split_once('.').unwrap_or((text, "0"));
    let nanos = format!("{frac:0<9}")[..9].parse().expect("a fraction of a second");
    (secs.to_owned(), nanos)
}

/// Saves `image` under a tag of its own to `archive` and imports it into `site`'s native
/// catalogue; returns the tag.
fn imported(site: &crate::harness::Site, image: &str, dir: &std::path::Path) -> String {
    let tag = format!("archipel-test/{}:1", archipel_testkit::unique("oci"));
    let archive = dir.join(format!("{}.tar", tag.replace(['/', ':'], "_")));
    archipel_testkit::sh(&format!("docker tag {image} {tag}"));
    archipel_testkit::sh(&format!("docker save -o {} {tag}", archive.display()));
    archipel_testkit::sh(&format!("docker rmi {tag} >/dev/null"));
    let out = site.pop(&["image", "import", archive.to_str().unwrap()]);
    assert!(out.status.success(), "import {image}: {}", String::from_utf8_lossy(&out.stderr));
    tag
}

/// Issue 13: the Appendix C service on a native site from the very images Docker runs (built by
/// `docker build`, `docker save`d, imported): the server and client run in the images' root
/// filesystems with their Entrypoint and Env, and SIPp completes its calls.
#[test]
#[ignore = "needs root and docker"]
fn sipp_completes_its_calls_on_a_native_site_from_docker_saved_images() {
    archipel_testkit::require_docker();
    let world = World::new(&[PopdRuntime::Native]);
    let site = &world.sites[0];
    let mut nsd = sipp_calls("sipp-oci-calls", 5);
    for vnf in ["sipp-server", "sipp-client"] {
        let tag = imported(site, &format!("mcilloni/{vnf}:latest"), world.files.path());
        crate::harness::vnfd_mut(&mut nsd, vnf)["vdu"][0]["vm_image"] = serde_json::json!([tag]);
    }
    let ns = world.launch(&world.onboard(&nsd), &[]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let client = str_of(&vnfcs(&ns, "sipp-client")[0]["name"]).to_owned();
    let deadline = Instant::now() + Duration::from_secs(120);
    let ended = loop {
        let ended = site.servers()[&client].clone();
        if ended["status"] == "EXITED" || ended["status"] == "FAILED" {
            break ended;
        }
        assert!(Instant::now() < deadline, "the client never ended: {ended}");
        std::thread::sleep(Duration::from_millis(300));
    };
    let log = site.logs(&client);
    assert_eq!(
        (ended["status"].clone(), ended["exitCode"].clone()),
        ("EXITED".into(), 0.into()),
        "{log}"
    );
    assert_eq!(archipel_testkit::sipp_counter(&log, "Successful call"), Some(5), "{log}");
}
