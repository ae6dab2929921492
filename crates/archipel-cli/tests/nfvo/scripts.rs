//! VNF packages in Open Baton's format and their lifecycle scripts, run by the generic VNFM
//! inside the VNFCs: each client's CONFIGURE learns the server's address, a scale-out and a
//! scale-in of the server reach every running client's SCALE_OUT and SCALE_IN scripts, and a
//! failing START script fails the launch with its name, code and output, leaving nothing at
//! the site.

use std::path::Path;

use archipel_testkit::PopdRuntime;
use serde_json::{json, Value};

use crate::harness::{str_of, vnfcs, Site, World};

const IMAGE: &str = "archipel-test/busybox:latest";

/// Writes an Open Baton package (`tar -cf`, as its users make them) with `scripts`; returns
/// the tar's path.
fn package(dir: &Path, name: &str, scripts: &[(&str, &str)]) -> String {
    let root = dir.join(name);
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    let metadata = format!("name: {name}\nprovider: archipel-tests\nnfvo_version: 5.2.0\n");
    std::fs::write(root.join("Metadata.yaml"), metadata).unwrap();
    std::fs::write(root.join("vnfd.json"), json!({"name": "client"}).to_string()).unwrap();
    for (file, content) in scripts {
        std::fs::write(root.join("scripts").join(file), content).unwrap();
    }
    let tar = dir.join(format!("{name}.tar"));
    archipel_testkit::sh(&format!(
        "tar -cf {} -C {} Metadata.yaml vnfd.json scripts",
        tar.display(),
        root.display()
    ));
    tar.to_str().unwrap().to_owned()
}

/// A server and a client of the test image on one link; the client depends on the server's
/// address and hostname and runs the scripts of `package` at `events`.
pub fn nsd(package: &str, events: &[(&str, &str)]) -> Value {
    let vnfd = |name: &str| {
        json!({
            "name": name, "type": name, "endpoint": "docker", "vendor": "tests", "version": "1",
            "vdu": [{"vm_image": [IMAGE], "scale_in_out": 3,
                     "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}]}],
            "virtual_link": [{"name": "private"}],
            "deployment_flavour": [{"flavour_key": "m1.small"}]
        })
    };
    let mut client = vnfd("client");
    client["vnfPackageLocation"] = json!(package);
    client["lifecycle_event"] = events
        .iter()
        .map(|(event, script)| json!({"event": event, "lifecycle_events": [script]}))
        .collect();
    json!({
        "name": format!("scripted-{}", archipel_testkit::unique("ns")),
        "vendor": "tests", "version": "1",
        "vld": [{"name": "private"}],
        "vnfd": [vnfd("server"), client],
        "vnf_dependency": [{"source": {"name": "server"}, "target": {"name": "client"},
                            "parameters": ["private", "hostname"]}]
    })
}

/// `cat FILE` inside container `name`.
fn cat(site: &Site, name: &str, file: &str) -> String {
    let out = site.popd.cli().args(["pop", "exec", name, "--", "cat", file]).output().unwrap();
    assert!(out.status.success(), "cat {file} in {name}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const GOOD: &[(&str, &str)] = &[
    ("instantiate.sh", "#!/bin/sh\necho \"instantiate $hostname $private\" >> lifecycle.log\n"),
    (
        "configure.sh",
        "#!/bin/sh\nset -e\necho \"$server_private\" > server.conf\n\
         echo \"configure $server_private $server_hostname\" >> lifecycle.log\n",
    ),
    ("start.sh", "echo start >> lifecycle.log\n"),
    ("scale_out.sh", "echo \"scale_out $server_private $server_hostname\" >> lifecycle.log\n"),
    ("scale_in.sh", "echo \"scale_in $server_private $server_hostname\" >> lifecycle.log\n"),
];

const EVENTS: &[(&str, &str)] = &[
    ("INSTANTIATE", "instantiate.sh"),
    ("CONFIGURE", "configure.sh"),
    ("START", "start.sh"),
    ("SCALE_OUT", "scale_out.sh"),
    ("SCALE_IN", "scale_in.sh"),
];

fn scripts_run_at_their_events(rt: PopdRuntime) {
    let world = World::new(&[rt]);
    let site = &world.sites[0];
    let tar = package(world.files.path(), "client-scripts", GOOD);
    let pkg = world.cli_json(&["ns", "upload-package", &tar]);
    assert_eq!(pkg["onboardingState"], "ONBOARDED", "{pkg}");
    assert_eq!(pkg["vnfProductName"], "client-scripts", "{pkg}");
    let pkg_id = str_of(&pkg["id"]).to_owned();
    let content = format!("/vnfpkgm/v1/vnf_packages/{pkg_id}/package_content");
    let (status, fetched) = world.http("GET", &content, b"");
    assert_eq!(status, 200);
    assert!(fetched == std::fs::read(&tar).unwrap(), "the package's content is what was uploaded");

    let nsd_id = world.onboard(&nsd(&pkg_id, EVENTS));
    let ns = world.launch(&nsd_id, &[]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let id = str_of(&ns["id"]).to_owned();
    let client = &vnfcs(&ns, "client")[0];
    let server = &vnfcs(&ns, "server")[0];
    let (client_name, client_addr) =
        (str_of(&client["name"]), str_of(&client["addresses"]["private"]));
    let (server_name, server_addr) =
        (str_of(&server["name"]), str_of(&server["addresses"]["private"]));
    assert_eq!(cat(site, client_name, "server.conf").trim(), server_addr);
    let log = cat(site, client_name, "lifecycle.log");
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            format!("instantiate {client_name} {client_addr}"),
            format!("configure {server_addr} {server_name}"),
            "start".to_owned(),
        ],
        "{log}"
    );

    // The package is in use: it cannot go.
    let out = world.cli(&["ns", "rm-package", &pkg_id]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("is used by NSD"), "{stderr}");

    // A second client is configured with the server's address as the first was.
    let ns = world.cli_json(&["ns", "scale", &id, "client", "--to", "2", "--wait"]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let clients: Vec<String> =
        vnfcs(&world.show(&id), "client").iter().map(|c| str_of(&c["name"]).to_owned()).collect();
    assert_eq!(clients.len(), 2);
    assert_eq!(cat(site, &clients[1], "server.conf").trim(), server_addr);

    // A scale-out of the server reaches each running client's SCALE_OUT script with the new
    // server's parameters; the clients are told, not re-created.
    let pop_ids: Vec<Value> = clients.iter().map(|c| site.servers()[c]["id"].clone()).collect();
    let ns = world.cli_json(&["ns", "scale", &id, "server", "--to", "2", "--wait"]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let ns = world.show(&id);
    let servers = vnfcs(&ns, "server");
    let new = servers.iter().find(|s| s["name"] != server["name"]).expect("a new server");
    let (new_addr, new_name) = (str_of(&new["addresses"]["private"]), str_of(&new["name"]));
    for (client, pop_id) in clients.iter().zip(&pop_ids) {
        let log = cat(site, client, "lifecycle.log");
        let expected = format!("scale_out {new_addr} {new_name}");
        assert_eq!(log.lines().last(), Some(expected.as_str()), "{client}: {log}");
        assert_eq!(&site.servers()[client]["id"], pop_id, "{client} was re-created");
    }

    // A scale-in reaches each running client's SCALE_IN script with the parameters of the
    // server that went.
    let ns = world.cli_json(&["ns", "scale", &id, "server", "--to", "1", "--wait"]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let left = vnfcs(&world.show(&id), "server");
    assert_eq!(str_of(&left[0]["name"]), server_name, "the newest server went");
    for client in &clients {
        let log = cat(site, client, "lifecycle.log");
        let expected = format!("scale_in {new_addr} {new_name}");
        assert_eq!(log.lines().last(), Some(expected.as_str()), "{client}: {log}");
    }

    let ns = world.cli_json(&["ns", "terminate", &id, "--wait"]);
    assert_eq!(ns["status"], "TERMINATED", "{ns}");
    assert_eq!(site.runtime_leftovers(), "");

    // Once no NSD names it, the package goes.
    assert!(world.cli(&["ns", "rm", &id]).status.success());
    let nsd_path = format!("/nsd/v1/ns_descriptors/{nsd_id}");
    let disabled = world.http("PATCH", &nsd_path, br#"{"nsdOperationalState": "DISABLED"}"#);
    assert_eq!(disabled.0, 200, "{}", String::from_utf8_lossy(&disabled.1));
    assert_eq!(world.http("DELETE", &nsd_path, b"").0, 204);
    let out = world.cli(&["ns", "rm-package", &pkg_id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(world.http("GET", &content, b"").0, 404);
}

#[test]
#[ignore = "needs root"]
fn scripts_run_at_their_events_native() {
    scripts_run_at_their_events(PopdRuntime::Native);
}

#[test]
#[ignore = "needs Docker"]
fn scripts_run_at_their_events_docker() {
    scripts_run_at_their_events(PopdRuntime::Docker);
}

#[test]
#[ignore = "needs root"]
fn a_failing_start_script_fails_the_launch_and_leaves_nothing() {
    let world = World::new(&[PopdRuntime::Native]);
    let site = &world.sites[0];
    let failing = [("start.sh", "echo \"cannot start: no license\"\nexit 1\n")];
    let tar = package(world.files.path(), "failing", &failing);
    let pkg = world.cli_json(&["ns", "upload-package", &tar]);
    let nsd_id = world.onboard(&nsd(str_of(&pkg["id"]), &[("START", "start.sh")]));

    let out = world.cli(&["ns", "launch", &nsd_id, "--wait", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    let list = world.cli_json(&["ns", "ls"]);
    let ns = &list.as_array().unwrap()[0];
    assert_eq!(ns["status"], "ERROR", "{ns}");
    let reason = str_of(&ns["error"]["reason"]);
    for part in ["START script start.sh", "exited with 1", "cannot start: no license"] {
        assert!(reason.contains(part), "{part} not in {reason}");
    }
    assert_eq!(site.servers().len(), 0, "{:?}", site.servers());
    assert_eq!(site.networks(), Vec::<String>::new());
    assert_eq!(site.runtime_leftovers(), "");
}

#[test]
fn packages_and_their_scripts_are_checked_at_onboarding() {
    let world = World::new(&[]);
    let tar = package(world.files.path(), "partial", &[("start.sh", "true\n")]);
    let pkg = world.cli_json(&["ns", "upload-package", &tar]);
    let pkg_id = str_of(&pkg["id"]);
    // Its files read back as SOL005 serves them: the VNFD, and any artifact by its path.
    let files = format!("/vnfpkgm/v1/vnf_packages/{pkg_id}");
    let (status, vnfd) = world.http("GET", &format!("{files}/vnfd"), b"");
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&vnfd).unwrap(), json!({"name": "client"}));
    let (status, script) = world.http("GET", &format!("{files}/artifacts/scripts/start.sh"), b"");
    assert_eq!((status, script.as_slice()), (200, &b"true\n"[..]));
    let (status, _) = world.http("GET", &format!("{files}/artifacts/scripts/stop.sh"), b"");
    assert_eq!(status, 404);
    let refused = |nsd: &Value, expected: &str| {
        let path = world.files.path().join(format!("{}.json", archipel_testkit::unique("nsd")));
        std::fs::write(&path, nsd.to_string()).unwrap();
        let out = world.cli(&["ns", "onboard", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(expected), "{expected}: {stderr}");
    };
    refused(
        &nsd(pkg_id, &[("START", "start.sh"), ("CONFIGURE", "configure.sh")]),
        "vnfd[1].lifecycle_event[1].lifecycle_events[0]: VNF package `partial` has no script \
         `configure.sh`",
    );
    refused(
        &nsd("no-such-package", &[]),
        "vnfd[1].vnfPackageLocation: `no-such-package` is no VNF package",
    );
    refused(
        &nsd(pkg_id, &[("START", "../start.sh")]),
        "lifecycle_events[0]: `../start.sh` is not a script's file name",
    );

    // A package from a local path (a folder laid out as one) is taken too.
    let dir = world.files.path().join("partial");
    world.onboard(&nsd(dir.to_str().unwrap(), &[("START", "start.sh")]));

    // Not a tar: refused, and the empty package it was to fill is gone.
    let junk = world.files.path().join("junk.tar");
    std::fs::write(&junk, vec![b'x'; 2048]).unwrap();
    let out = world.cli(&["ns", "upload-package", junk.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("not a tar archive"), "{stderr}");
    let packages = world.cli_json(&["ns", "packages"]);
    assert_eq!(packages.as_array().unwrap().len(), 1, "{packages}");
}
