//! The native runtime against the kernel: namespaces, bridges, veths and processes. Needs root
//! (fails without it), the host's busybox-static and sipp, and the `archipel` binary built (the
//! SIPp images have a root filesystem, which it isolates). Every test works in a site
//! namespace of its own, with its own popd instance and state directory; a guard removes every
//! namespace it made, also when it panics.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

#[path = "native_runtime/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use archipel_netlink::RtNetlink;
use archipel_pop::runtime::native::{NativeConfig, NativeRuntime};
use archipel_pop::runtime::{Runtime, RuntimeError, Stopped, WorkloadState};
use support::{environ, exit_of, namespaces, network, runs, spec, start, Site};

#[tokio::test]
#[ignore = "needs root"]
async fn two_workloads_reach_each_other_at_their_addresses_with_their_metadata() {
    let site = Site::new();
    let runtime = site.runtime().await;
    let net = network("private", "10.77.1.0/24");
    let at = runtime.ensure_network(&net).await.unwrap();
    assert_eq!(at.netns.as_deref(), Some(site.netns.as_str()));
    assert!(site.ip(&["-4", "-o", "addr", "show", "dev", &at.bridge]).contains("10.77.1.1/24"));

    let env_a = [("ROLE", "a"), ("SERVER_PRIVATE", "10.77.1.3")];
    let a = start(&site, &runtime, &spec("pop-a", &net, &at, 2, &env_a)).await;
    let b = start(&site, &runtime, &spec("pop-b", &net, &at, 3, &[("ROLE", "b")])).await;
    assert!(a.macs.contains_key("private"), "{:?}", a.macs);

    for (started, address, env) in
        [(&a, "10.77.1.2/24", &env_a[..]), (&b, "10.77.1.3/24", &[("ROLE", "b")][..])]
    {
        let ns = started.runtime_id.as_str();
        let shown = support::run("ip", &["-n", ns, "-4", "-o", "addr", "show", "scope", "global"]);
        let addresses: Vec<&str> =
            shown.lines().filter_map(|l| l.split_whitespace().nth(3)).collect();
        assert_eq!(addresses, [address], "{shown}");
        let process = runtime.process(ns).expect("a running process");
        let expected: BTreeMap<String, String> =
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        assert_eq!(environ(process.pid), expected);
        let route = support::run("ip", &["-n", ns, "route", "show", "default"]);
        assert!(route.contains("via 10.77.1.1 dev eth0"), "{route}");
    }
    support::run(
        "ip",
        &["netns", "exec", &a.runtime_id, "/bin/busybox", "ping", "-c1", "-W5", "10.77.1.3"],
    );
    support::run(
        "ip",
        &["netns", "exec", &b.runtime_id, "/bin/busybox", "ping", "-c1", "-W5", "10.77.1.2"],
    );
    support::run(
        "ip",
        &["netns", "exec", &b.runtime_id, "/bin/busybox", "ping", "-c1", "-W5", "10.77.1.1"],
    );

    // The idle image exits 0 on SIGTERM, once it handles it.
    support::wait_for_output(&runtime, &a.runtime_id, "idle").await;
    let stopped = runtime.stop(&a.runtime_id, Duration::from_secs(10)).await.unwrap();
    assert_eq!(stopped, Some(Stopped { code: 0, killed: false }));
    for started in [&a, &b] {
        runtime.remove(&started.runtime_id).await.unwrap();
        runtime.remove(&started.runtime_id).await.unwrap();
        assert!(!namespaces().contains(&started.runtime_id));
    }
    assert_eq!(site.ip(&["-o", "link", "show", "type", "veth"]), "");
    assert!(runtime.list_managed().await.unwrap().is_empty());
    runtime.remove_network(&net).await.unwrap();
    assert!(!site.ip(&["-o", "link"]).contains(&at.bridge));
}

#[tokio::test]
#[ignore = "needs root"]
async fn an_exit_is_reported_with_its_code_and_frees_the_network() {
    let site = Site::new();
    let runtime = site.runtime().await;
    let mut events = runtime.events();
    let net = network("private", "10.77.2.0/24");
    let at = runtime.ensure_network(&net).await.unwrap();
    let cmd = [("CMD", "echo hello from the workload; pwd; exit 3")];
    let started = start(&site, &runtime, &spec("pop-exit", &net, &at, 2, &cmd)).await;

    assert_eq!(exit_of(&mut events, &started.runtime_id).await, 3);
    let managed = runtime.list_managed().await.unwrap();
    assert_eq!(managed.len(), 1);
    assert_eq!(managed[0].pop_id, "pop-exit");
    assert_eq!(managed[0].state, WorkloadState::Exited { code: 3 });
    assert_eq!(managed[0].started_at, started.started_at);
    // Its addresses must be free again: the namespace and veth are gone, the log stays.
    assert!(!namespaces().contains(&started.runtime_id));
    assert_eq!(site.ip(&["-o", "link", "show", "type", "veth"]), "");
    let logs = String::from_utf8(
        runtime.logs(&started.runtime_id, None, usize::MAX).await.unwrap().output,
    )
    .unwrap();
    assert!(logs.starts_with("hello from the workload\n"), "{logs}");
    assert!(
        logs.contains(&format!("/workloads/{}/work", started.runtime_id)),
        "its own working directory: {logs}"
    );
    let last = runtime.logs(&started.runtime_id, Some(1), usize::MAX).await.unwrap().output;
    assert!(String::from_utf8(last).unwrap().ends_with("/work\n"));
    assert_eq!(
        runtime.stop(&started.runtime_id, Duration::from_secs(1)).await.unwrap(),
        Some(Stopped { code: 3, killed: false })
    );

    runtime.remove(&started.runtime_id).await.unwrap();
    assert!(!site.state_dir().join("workloads").join(&started.runtime_id).exists());
    assert!(matches!(
        runtime.logs(&started.runtime_id, None, usize::MAX).await,
        Err(RuntimeError::WorkloadNotFound(_))
    ));
}

#[tokio::test]
#[ignore = "needs root"]
async fn stop_kills_a_workload_that_ignores_sigterm_and_leaves_nothing() {
    let site = Site::new();
    let runtime = site.runtime().await;
    let net = network("private", "10.77.3.0/24");
    let at = runtime.ensure_network(&net).await.unwrap();
    let stubborn = [("CMD", "trap '' TERM; echo ready; while true; do sleep 1; done")];
    let started = start(&site, &runtime, &spec("pop-stubborn", &net, &at, 2, &stubborn)).await;
    let process = runtime.process(&started.runtime_id).unwrap();
    // Stopped only once it ignores SIGTERM.
    support::wait_for_output(&runtime, &started.runtime_id, "ready").await;
    assert!(runs(process.pid));

    let stopped = runtime.stop(&started.runtime_id, Duration::from_secs(1)).await.unwrap();
    assert_eq!(stopped, Some(Stopped { code: 137, killed: true }));
    assert!(!runs(process.pid));
    assert!(!namespaces().contains(&started.runtime_id));
    assert_eq!(site.ip(&["-o", "link", "show", "type", "veth"]), "");
    assert!(!site.ip(&["-4", "-o", "addr"]).contains("10.77.3.2/"));
    assert_eq!(runtime.list_managed().await.unwrap()[0].state, WorkloadState::Exited { code: 137 });

    runtime.remove(&started.runtime_id).await.unwrap();
    assert!(!site.state_dir().join("workloads").join(&started.runtime_id).exists());
    assert!(matches!(
        runtime.stop(&started.runtime_id, Duration::from_secs(1)).await,
        Err(RuntimeError::WorkloadNotFound(_))
    ));
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_new_runtime_adopts_running_workloads_and_removes_orphans() {
    let site = Site::new();
    let runtime = site.runtime().await;
    let net = network("private", "10.77.4.0/24");
    let at = runtime.ensure_network(&net).await.unwrap();
    let mut running = BTreeMap::new();
    for i in 0..10u8 {
        let started =
            start(&site, &runtime, &spec(&format!("pop-{i}"), &net, &at, 10 + i, &[])).await;
        running.insert(started.runtime_id.clone(), runtime.process(&started.runtime_id).unwrap());
    }
    // Ends only once the file appears, while no runtime watches.
    let flag = site.dir.path().join("go");
    let waiting = format!("while [ ! -e {} ]; do sleep 0.1; done; exit 4", flag.display());
    let later =
        start(&site, &runtime, &spec("pop-later", &net, &at, 30, &[("CMD", &waiting)])).await;
    // A workload whose record is lost (a crash between removing it and its namespace).
    let lost = start(&site, &runtime, &spec("pop-lost", &net, &at, 31, &[])).await;
    let lost_pid = runtime.process(&lost.runtime_id).unwrap().pid;

    drop(runtime);
    std::fs::remove_dir_all(site.state_dir().join("workloads").join(&lost.runtime_id)).unwrap();
    let later_pid = running_pid(&site, &later.runtime_id);
    std::fs::write(&flag, "").unwrap();
    wait_until_ended(later_pid).await;

    let runtime = site.runtime().await;
    assert!(!namespaces().contains(&lost.runtime_id), "the unrecorded namespace is removed");
    assert!(!runs(lost_pid), "and what ran in it");
    for (id, process) in &running {
        assert_eq!(runtime.process(id), Some(*process), "re-adopted, same pid and start time");
        assert!(runs(process.pid));
    }
    let managed = runtime.list_managed().await.unwrap();
    assert_eq!(managed.len(), 11);
    for workload in &managed {
        let expected = if workload.runtime_id == later.runtime_id {
            WorkloadState::Exited { code: 4 }
        } else {
            WorkloadState::Running
        };
        assert_eq!(workload.state, expected, "{}", workload.pop_id);
    }

    // popd knows all but pop-0: its workload goes.
    let known: Vec<String> =
        (1..10).map(|i| format!("pop-{i}")).chain(["pop-later".to_owned()]).collect();
    let removed = runtime.cleanup_orphans(&known).await.unwrap();
    let pop0 = managed.iter().find(|w| w.pop_id == "pop-0").unwrap();
    assert_eq!(removed, std::slice::from_ref(&pop0.runtime_id));
    assert!(!runs(running[&pop0.runtime_id].pid));
    assert_eq!(runtime.list_managed().await.unwrap().len(), 10);

    for workload in runtime.list_managed().await.unwrap() {
        runtime.remove(&workload.runtime_id).await.unwrap();
    }
    for process in running.values() {
        assert!(!runs(process.pid));
    }
    assert_eq!(site.ip(&["-o", "link", "show", "type", "veth"]), "");
}

#[tokio::test]
#[ignore = "needs root"]
async fn the_sipp_client_completes_its_calls_against_the_sipp_server() {
    let site = Site::new();
    support::run("sh", &["-c", "command -v sipp"]);
    let bin = support::archipel_bin();
    assert!(bin.is_file(), "{} is missing: cargo build -p archipel-cli first", bin.display());
    let runtime = site.runtime().await;
    let built = tempfile::tempdir().unwrap();
    let images = support::installed_example_images(built.path());
    for image in ["sipp-server", "sipp-client"] {
        let info = runtime.import_image(&images.join(image)).await.unwrap();
        assert_eq!(info.names, [format!("mcilloni/{image}:latest")]);
    }
    let names: Vec<String> =
        runtime.images().await.unwrap().into_iter().flat_map(|i| i.names).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let mut events = runtime.events();
    let net = network("private", "10.77.5.0/24");
    let at = runtime.ensure_network(&net).await.unwrap();
    let mut server = spec("pop-server", &net, &at, 2, &[]);
    server.image = "mcilloni/sipp-server".to_owned();
    let server = start(&site, &runtime, &server).await;

    let client_env = |address: &'static str, timeout: &'static str| {
        [
            ("SERVER_PRIVATE", address),
            ("SIPP_CALLS", "5"),
            ("SIPP_RATE", "10"),
            ("SIPP_RATE_PERIOD", "1000"),
            ("SIPP_LENGTH", "0"),
            ("SIPP_TRANSPORT_MODE", "u1"),
            ("SIPP_TIMEOUT", timeout),
        ]
    };
    let mut client = spec("pop-client", &net, &at, 3, &client_env("10.77.5.2", "60"));
    client.image = "mcilloni/sipp-client:latest".to_owned();
    let client = start(&site, &runtime, &client).await;
    let code = exit_of(&mut events, &client.runtime_id).await;
    let logs = String::from_utf8_lossy(
        &runtime.logs(&client.runtime_id, None, usize::MAX).await.unwrap().output,
    )
    .into_owned();
    assert_eq!(code, 0, "{logs}");
    assert!(logs.contains("Successful call"), "{logs}");

    let mut astray = spec("pop-astray", &net, &at, 4, &client_env("10.77.5.99", "3"));
    astray.image = "mcilloni/sipp-client".to_owned();
    let astray = start(&site, &runtime, &astray).await;
    assert_ne!(exit_of(&mut events, &astray.runtime_id).await, 0);

    let stopped = runtime.stop(&server.runtime_id, Duration::from_secs(10)).await.unwrap();
    assert!(!stopped.unwrap().killed, "sipp ends on SIGTERM");
    for id in [&server.runtime_id, &client.runtime_id, &astray.runtime_id] {
        runtime.remove(id).await.unwrap();
    }
}

#[tokio::test]
#[ignore = "needs root"]
async fn refuses_a_missing_site_namespace_and_an_unknown_image() {
    let site = Site::new();
    let config = NativeConfig {
        instance: site.instance.clone(),
        state_dir: site.state_dir(),
        images_dir: site.images_dir(),
        site_netns: Some(format!("{}-missing", site.netns)),
        netlink: std::sync::Arc::new(RtNetlink::new()),
        log_max_bytes: archipel_pop::runtime::native::DEFAULT_LOG_MAX_BYTES,
        helper: None,
    };
    let err = NativeRuntime::new(config).await.unwrap_err();
    let text = archipel_pop::error::chain(&err);
    assert!(text.contains("does not exist"), "{text}");

    let runtime = site.runtime().await;
    let net = network("private", "10.77.6.0/24");
    let at = runtime.ensure_network(&net).await.unwrap();
    let mut unknown = spec("pop-x", &net, &at, 2, &[]);
    unknown.image = "nope:latest".to_owned();
    assert!(matches!(runtime.start(&unknown).await, Err(RuntimeError::ImageNotFound(_))));
    assert!(runtime.list_managed().await.unwrap().is_empty());
}

/// Set in the environment of this test binary run again by the test below.
const UNPRIVILEGED: &str = "ARCHIPEL_NATIVE_UNPRIVILEGED";

/// Without privileges, construction fails with one line naming them: this test runs itself
/// again as `nobody` without capabilities, and that run prints the refusal.
#[test]
#[ignore = "needs root"]
fn refuses_to_run_without_privileges() {
    if std::env::var_os(UNPRIVILEGED).is_some() {
        return print_refusal();
    }
    support::require_root();
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
        .arg(&exe)
        // The test is ignored by default: the re-run must include it.
        .args(["--exact", "refuses_to_run_without_privileges", "--include-ignored", "--nocapture"])
        .env(UNPRIVILEGED, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("refusal: ")).unwrap_or_else(|| {
        panic!("no refusal in {stdout} {}", String::from_utf8_lossy(&out.stderr))
    });
    assert_eq!(
        line,
        "the runtime is not available: the native runtime needs root or CAP_NET_ADMIN: this \
         process's effective capabilities (0x0) lack cap_net_admin and cap_sys_admin"
    );
}

/// The unprivileged half of the test above.
fn print_refusal() {
    let dir = std::env::temp_dir().join(format!("archipel-unprivileged-{}", std::process::id()));
    let config = NativeConfig {
        instance: "unprivileged".to_owned(),
        state_dir: dir.join("state"),
        images_dir: dir.join("images"),
        site_netns: None,
        netlink: std::sync::Arc::new(RtNetlink::new()),
        log_max_bytes: archipel_pop::runtime::native::DEFAULT_LOG_MAX_BYTES,
        helper: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = runtime.block_on(NativeRuntime::new(config)).unwrap_err();
    println!("refusal: {}", archipel_pop::error::chain(&err));
}

/// The pid of a running workload, read from its record (the runtime that knew it is gone).
fn running_pid(site: &Site, runtime_id: &str) -> u32 {
    let path = site.state_dir().join("workloads").join(runtime_id).join("state.json");
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    u32::try_from(record["process"]["pid"].as_u64().unwrap()).unwrap()
}

/// Waits until `pid` no longer runs.
async fn wait_until_ended(pid: u32) {
    let deadline = std::time::Instant::now() + support::PATIENCE;
    while runs(pid) {
        assert!(std::time::Instant::now() < deadline, "{pid} still runs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
