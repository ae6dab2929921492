//! The sites of a live L2 extension change: a site added while a TCP stream flows between two
//! others neither breaks it nor touches their tunnels, carries traffic at once, and once
//! removed keeps nothing of the extension.

use std::time::Duration;

use crate::harness::{pings, text, Lab, Stream};

#[test]
#[ignore = "needs root"]
fn a_site_joins_a_live_extension_without_breaking_a_stream_and_leaves_nothing_behind() {
    let lab = Lab::up(3);
    lab.network("a", "net", &lab.subnet.slash24(7));
    let create = ["intersite", "create", "--type", "l2", "--name", "grow"];
    let service =
        lab.json("a", &[&create[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    let id = service["global_id"].as_str().unwrap().to_owned();
    let vx = format!("vx{}", service["params"]["vni"]);
    let (a_addr, a_ns) = lab.container("a", "ca", "net");
    let (b_addr, b_ns) = lab.container("b", "cb", "net");
    assert!(pings(&a_ns, b_addr), "{a_addr} does not reach {b_addr}");
    let ifindex = |site: &str| {
        let line = archipel_testkit::sh(&format!("ip -n {} -o link show {vx}", lab.netns(site)));
        line.split(':').next().unwrap_or_default().trim().to_owned()
    };
    let tunnels = [ifindex("a"), ifindex("b")];

    let stream = Stream::start(&a_ns, &b_ns, b_addr);
    std::thread::sleep(Duration::from_secs(1));
    let update = ["intersite", "update", &id, "--resource", "a:net", "--resource", "b:net"];
    let grown = lab.json("a", &[&update[..], &["--resource", "c:net"]].concat());
    assert_eq!(grown["resources"].as_array().map(Vec::len), Some(3), "{grown}");
    stream.assert_unbroken("while c joined");
    assert_eq!([ifindex("a"), ifindex("b")], tunnels, "a tunnel was recreated");

    let (_, c_ns) = lab.container("c", "cc", "net");
    assert!(pings(&c_ns, a_addr), "the newcomer c does not reach {a_addr}");

    // The network c's agent made for the extension goes with it: its container first.
    lab.json("c", &["pop", "rm", "cc"]);
    let out = lab.cli("a", &[&update[..], &["-o", "json"]].concat());
    assert!(out.status.success(), "the removal failed: {}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("pending"), "{}", text(&out.stderr));
    assert!(!lab.links("c").contains(&vx), "{vx} is left at c");
    let networks = lab.json("c", &["pop", "networks"]);
    assert!(!networks.as_array().unwrap().iter().any(|n| n["name"] == "net"), "{networks}");
    let fdb = archipel_testkit::sh(&format!("bridge -n {} fdb show", lab.netns("c")));
    assert!(!fdb.contains(&vx) && !fdb.contains(" dst "), "flood entries are left at c:\n{fdb}");
    assert_eq!(lab.json("c", &["intersite", "ls"]), serde_json::json!([]));
    assert!(pings(&a_ns, b_addr), "a and b no longer reach each other");
    assert_eq!([ifindex("a"), ifindex("b")], tunnels, "a tunnel was recreated");
    lab.down();
}
