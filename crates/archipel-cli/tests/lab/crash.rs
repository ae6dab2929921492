//! An agent killed while a TCP stream flows: the data plane does not notice, and the agent
//! starts again on its data directory and adopts the tunnel it had made.

use std::process::{Command, Stdio};

use crate::harness::{pings, text, Lab};

#[test]
#[ignore = "needs root"]
fn the_data_plane_outlives_a_killed_agent_which_restarts_on_its_data() {
    let lab = Lab::up(2);
    lab.network("a", "net", &lab.subnet.slash24(3));
    let args = ["intersite", "create", "--type", "l2", "--name", "ext"];
    let service =
        lab.json("a", &[&args[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    let id = service["global_id"].as_str().unwrap().to_owned();
    let (_, a_ns) = lab.container("a", "ca", "net");
    let (b_addr, b_ns) = lab.container("b", "cb", "net");
    assert!(pings(&a_ns, b_addr));
    let vx = format!("vx{}", service["params"]["vni"]);
    let site_a = lab.netns("a");
    let tunnel = || -> String {
        let line = archipel_testkit::sh(&format!("ip -n {site_a} -o link show {vx}"));
        // The ifindex: a recreated device gets a new one.
        line.split(':').next().unwrap_or_default().trim().to_owned()
    };
    let before = tunnel();

    // A TCP stream across the extension while a's agent is killed: it must not notice.
    let mut server = Command::new("ip")
        .args(["netns", "exec", &b_ns, "iperf3", "-s", "-1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start iperf3 -s");
    let target = b_addr.to_string();
    let stream = || {
        Command::new("ip")
            .args(["netns", "exec", &a_ns, "iperf3", "-c", &target, "-t", "6"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start iperf3 -c")
    };
    // The server may not listen yet: a refused connection ends the client at once.
    let mut traffic = stream();
    for _ in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(300));
        match traffic.try_wait().expect("poll iperf3") {
            Some(status) if !status.success() => traffic = stream(),
            _ => break,
        }
    }
    std::thread::sleep(std::time::Duration::from_secs(1));
    let agent = lab.ctx.site("a").unwrap().agent_pid.expect("a's agent pid");
    archipel_testkit::sh(&format!("kill -9 {agent}"));
    let status = text(&lab.lab(&["status"]).stdout);
    let a_line = status.lines().find(|l| l.starts_with("a ")).expect("site a in the status");
    assert!(a_line.ends_with("(down)"), "{status}");
    let flowed = traffic.wait_with_output().expect("the stream ends");
    assert!(
        flowed.status.success(),
        "the stream broke when the agent died: {}{}",
        text(&flowed.stdout),
        text(&flowed.stderr)
    );
    let _ = server.kill();
    let _ = server.wait();

    let restarted = lab.lab(&["restart-agent", "a"]);
    assert!(restarted.status.success(), "{}", text(&restarted.stderr));
    let shown = lab.json("a", &["intersite", "show", &id]);
    assert_eq!(shown["params"]["vni"], service["params"]["vni"], "{shown}");
    // One convergence pass later the tunnel is still the same device: adopted, not recreated.
    std::thread::sleep(std::time::Duration::from_secs(6));
    assert_eq!(tunnel(), before, "the restarted agent recreated {vx}");
    assert!(pings(&a_ns, b_addr));
    lab.down();
}

#[test]
#[ignore = "needs root"]
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
