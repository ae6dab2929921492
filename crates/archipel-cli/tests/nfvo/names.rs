//! VNFCs reach each other by name: Docker's embedded DNS on Docker sites, a hosts file of
//! each container's own on native sites, kept up to date as the service scales; and each VNFC
//! knows its own name and address.

use archipel_testkit::PopdRuntime;

use crate::harness::{str_of, vnfcs, Site, World};
use crate::scripts::nsd;

/// Pings `target` by name from inside container `name`; the output.
fn ping(site: &Site, name: &str, target: &str) -> String {
    let script = format!("/bin/busybox ping -c 1 -W 3 {target}");
    let out = site.popd.cli().args(["pop", "exec", name, "--", "/bin/sh", "-c", &script]).output();
    let out = out.unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} cannot ping {target}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn a_client_reaches_its_server_by_name(rt: PopdRuntime) {
    let world = World::new(&[rt]);
    let site = &world.sites[0];
    let host_hosts = std::fs::read_to_string("/etc/hosts").unwrap();
    let ns = world.launch(&world.onboard(&nsd("", &[])), &[]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let id = str_of(&ns["id"]).to_owned();
    let client = &vnfcs(&ns, "client")[0];
    let server = &vnfcs(&ns, "server")[0];
    let (client_name, client_addr) =
        (str_of(&client["name"]), str_of(&client["addresses"]["private"]));
    let server_addr = str_of(&server["addresses"]["private"]);

    let env = site.env(client_name, client_addr);
    assert_eq!(env["SERVER_HOSTNAME"], str_of(&server["name"]));
    assert_eq!(env["SELF_HOSTNAME"], client_name);
    assert_eq!(env["SELF_PRIVATE"], client_addr);
    let out = ping(site, client_name, "$SERVER_HOSTNAME");
    assert!(out.contains(&format!("({server_addr})")), "{out}");

    // A new server is known by name to the running client.
    world.cli_json(&["ns", "scale", &id, "server", "--to", "2", "--wait"]);
    let ns = world.show(&id);
    let servers = vnfcs(&ns, "server");
    let new = servers.iter().find(|s| s["name"] != server["name"]).expect("a new server");
    let out = ping(site, client_name, str_of(&new["name"]));
    assert!(out.contains(&format!("({})", str_of(&new["addresses"]["private"]))), "{out}");

    world.cli_json(&["ns", "terminate", &id, "--wait"]);
    assert_eq!(site.runtime_leftovers(), "");
    assert_eq!(std::fs::read_to_string("/etc/hosts").unwrap(), host_hosts, "the host's changed");
}

#[test]
#[ignore = "needs root"]
fn a_client_reaches_its_server_by_name_native() {
    a_client_reaches_its_server_by_name(PopdRuntime::Native);
}

#[test]
#[ignore = "needs Docker"]
fn a_client_reaches_its_server_by_name_docker() {
    a_client_reaches_its_server_by_name(PopdRuntime::Docker);
}
