//! Scaling the SIPp client out and in on a native site: new instances get the same
//! configuration, and the records and the site agree at every step.

use archipel_testkit::PopdRuntime;

use crate::harness::{
    assert_site_matches, configuration, sipp_nsd, str_of, vnfcs, World, SIPP_NSD,
};

#[test]
#[ignore = "needs root"]
fn the_client_scales_out_to_three_and_in_to_one() {
    let world = World::new(&[PopdRuntime::Native]);
    let site = &world.sites[0];
    let nsd = world.cli_json(&["ns", "onboard", SIPP_NSD]);
    let ns = world.launch(str_of(&nsd["id"]), &[]);
    let id = str_of(&ns["id"]).to_owned();
    assert_site_matches(site, &world.show(&id));
    let first = str_of(&vnfcs(&ns, "sipp-client")[0]["name"]).to_owned();
    let expected = configuration(&sipp_nsd(), "sipp-client");

    for n in [3, 1] {
        let ns =
            world.cli_json(&["ns", "scale", &id, "sipp-client", "--to", &n.to_string(), "--wait"]);
        assert_eq!(ns["status"], "ACTIVE", "{ns}");
        let ns = world.show(&id);
        assert_site_matches(site, &ns);
        let clients = vnfcs(&ns, "sipp-client");
        assert_eq!(clients.len(), n, "{ns}");
        let server = &vnfcs(&ns, "sipp-server")[0];
        let server_addr = str_of(&server["addresses"]["private"]);
        for client in &clients {
            let env = site.env(str_of(&client["name"]), str_of(&client["addresses"]["private"]));
            assert_eq!(env.get("SERVER_PRIVATE").map(String::as_str), Some(server_addr));
            for (key, value) in &expected {
                assert_eq!(env.get(key), Some(value), "{key} of {}: {env:?}", client["name"]);
            }
        }
    }
    // Scaling in removes the newest instances.
    assert_eq!(str_of(&vnfcs(&world.show(&id), "sipp-client")[0]["name"]), first);
}
