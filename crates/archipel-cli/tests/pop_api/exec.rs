//! Exec through the CLI on both runtimes: a command runs inside a running container with its
//! environment, its output and exit code come back (archipel exits with the code), a command
//! past its deadline is killed and leaves nothing, one left in the background does not hold
//! the reply, and a container that does not run is refused.

use archipel_testkit::PopdRuntime;

use crate::harness::{Site, IMAGE};

crate::on_both_runtimes!(a_command_runs_inside_a_container_with_its_environment);

async fn a_command_runs_inside_a_container_with_its_environment(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let name = site.name("ex");
    let net = site.popd.default_network.clone();
    let created = site.cli_json(&["create", &format!("image={IMAGE}"), &format!("name={name}")]);
    let addr = created["ips"][&net][0].as_str().expect("an address").to_owned();

    // Not running yet: refused, saying why.
    let out = site.cli(&["exec", &name, "--", "true"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("RUNNING") && stderr.contains("FAILED_PRECONDITION"), "{stderr}");

    site.cli_json(&["md", "set", &name, "PEER=peer-b"]);
    site.cli_json(&["start", &name]);

    let script = "echo out $PEER $EXTRA; echo err >&2; exit 3";
    let out = site.cli(&["exec", &name, "--env", "EXTRA=1", "--", "sh", "-c", script]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // Docker sends the two streams apart, so their order across them is not kept there.
    let lines: std::collections::BTreeSet<&str> =
        view["output"].as_str().unwrap_or_default().lines().collect();
    assert_eq!(lines, ["err", "out peer-b 1"].into(), "{view}");
    assert_eq!((&view["exitCode"], &view["timedOut"]), (&3.into(), &false.into()), "{view}");
    assert!(stderr.contains("exited with code 3"), "{stderr}");

    // It runs in the container's network namespace: it holds the container's address.
    let out = site.cli(&["exec", &name, "--", "ip", "-4", "-o", "addr", "show", "eth0"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("inet {addr}/")));

    let before = processes(&site, &name, &addr);
    let timed = site.cli(&["exec", &name, "--timeout", "1", "--", "sleep", "30"]);
    let view: serde_json::Value = serde_json::from_slice(&timed.stdout).expect("JSON");
    assert_eq!(view["timedOut"], true, "{view}");
    assert_eq!(view["exitCode"], 137, "{view}");
    assert_eq!(timed.status.code(), Some(137));
    assert_eq!(processes(&site, &name, &addr), before, "the killed command left processes");

    // A process left in the background does not hold the reply; it keeps running.
    // Without --output json the output is printed as written.
    let background = "sleep 300 >/dev/null 2>&1 & echo bg";
    let out = site.popd.cli().args(["pop", "exec", &name, "--", "sh", "-c", background]).output();
    let out = out.expect("run archipel");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bg\n");
    assert!(processes(&site, &name, &addr) > before, "the background process is gone");

    let log = site.popd.log();
    assert!(log.contains("operation=Exec"), "no audit line for Exec:\n{log}");
    assert!(!log.contains("peer-b"), "the command's environment reached the log");
    site.cli_json(&["rm", &name]);
    assert!(!site.runs(&name, &addr));
}

/// How many processes run in the container.
fn processes(site: &Site, name: &str, addr: &str) -> usize {
    match site.rt {
        PopdRuntime::Docker => archipel_testkit::docker(&["top", name]).lines().skip(1).count(),
        PopdRuntime::Native => site.pids(name, addr).len(),
    }
}
