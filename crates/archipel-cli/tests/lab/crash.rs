//! An agent killed while traffic flows: the data plane does not notice, and the agent starts
//! again on its data directory.

use std::process::{Command, Stdio};

use crate::harness::{pings, text, Lab};

#[test]
fn the_data_plane_outlives_a_killed_agent_which_restarts_on_its_data() {
    let lab = Lab::up(2);
    lab.network("a", "net", &lab.subnet.slash24(3));
    let args = ["intersite", "create", "--type", "l2", "--name", "ext"];
    let service =
        lab.json("a", &[&args[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    let id = service["global_id"].as_str().unwrap().to_owned();
    let (_, a_ns) = lab.container("a", "ca", "net");
    let (b_addr, _) = lab.container("b", "cb", "net");
    assert!(pings(&a_ns, b_addr));

    let target = b_addr.to_string();
    let traffic = Command::new("ip")
        .args(["netns", "exec", &a_ns, "busybox", "ping", "-c", "20", "-i", "0.2", &target])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start a ping");
    let agent = lab.ctx.site("a").unwrap().agent_pid.expect("a's agent pid");
    archipel_testkit::sh(&format!("kill -9 {agent}"));
    let status = text(&lab.lab(&["status"]).stdout);
    let a_line = status.lines().find(|l| l.starts_with("a ")).expect("site a in the status");
    assert!(a_line.ends_with("(down)"), "{status}");
    assert!(pings(&a_ns, b_addr), "the data plane stopped with the agent");
    let flowed = traffic.wait_with_output().expect("the ping ends");
    assert!(flowed.status.success(), "{}", text(&flowed.stdout));

    let restarted = lab.lab(&["restart-agent", "a"]);
    assert!(restarted.status.success(), "{}", text(&restarted.stderr));
    let shown = lab.json("a", &["intersite", "show", &id]);
    assert_eq!(shown["params"]["vni"], service["params"]["vni"], "{shown}");
    assert!(pings(&a_ns, b_addr));
    lab.down();
}

#[test]
fn lab_down_after_every_daemon_was_killed_leaves_nothing() {
    let lab = Lab::up(2);
    lab.network("b", "net", &lab.subnet.slash24(4));
    let (addr, _) = lab.container("b", "cb", "net");
    for site in &lab.ctx.sites {
        for pid in [site.agent_pid, site.popd_pid].into_iter().flatten() {
            archipel_testkit::sh(&format!("kill -9 {pid}"));
        }
    }
    // The workload outlives its popd: `lab down` must find and end it.
    assert!(pings(&lab.netns("b"), addr), "the container at {addr} died with popd");
    lab.down();
}
