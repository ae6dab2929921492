//! What only the native runtime promises beyond the shared suite: the thesis's SIPp pair as
//! native images, configured by metadata; and a Stop that ends even a workload ignoring SIGTERM
//! within the call's deadline, leaving no process, namespace or address behind.

use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::{native, PopdRuntime};
use pb::container::Status;

use crate::harness::{address, authed, by_name, config, metadata, Site, IMAGE};

async fn spawn_with(
    site: &Site,
    token: &str,
    name: &str,
    image: &str,
    md: &[(&str, &str)],
) -> String {
    let net = site.popd.default_network.clone();
    let mut c = site.raw().await;
    let created =
        c.create(authed(token, config(name, image, &[]))).await.expect("create").into_inner();
    if !md.is_empty() {
        c.metadata(authed(
            token,
            pb::NewMetadata { filter: Some(by_name(name)), md: metadata(md) },
        ))
        .await
        .expect("metadata");
    }
    c.start(authed(token, by_name(name))).await.expect("start");
    address(&created, &net)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn the_sipp_client_completes_its_calls_or_fails_against_a_wrong_address() {
    let site = Site::new(PopdRuntime::Native, &[]);
    let (_, token) = site.login().await;
    let server = site.name("sipp-server");
    let server_addr = spawn_with(&site, &token, &server, "mcilloni/sipp-server:latest", &[]).await;
    site.wait_status(&token, &server, Status::Running).await;

    let client = site.name("sipp-client");
    let calls = [
        ("SERVER_PRIVATE", server_addr.as_str()),
        ("SIPP_CALLS", "5"),
        ("SIPP_RATE", "10"),
        ("SIPP_RATE_PERIOD", "1000"),
        ("SIPP_LENGTH", "0"),
        ("SIPP_TRANSPORT_MODE", "u1"),
        ("SIPP_TIMEOUT", "30"),
    ];
    spawn_with(&site, &token, &client, "mcilloni/sipp-client:latest", &calls).await;
    let done = site.wait_status(&token, &client, Status::Exited).await;
    assert_eq!(done.exit_code, Some(0));

    // Pointed at an address where nobody answers, the client gives up and fails.
    let nobody = server_addr.rsplit_once('.').map(|(p, _)| format!("{p}.250")).unwrap();
    let lost = site.name("sipp-lost");
    let wrong = [("SERVER_PRIVATE", nobody.as_str()), ("SIPP_CALLS", "1"), ("SIPP_TIMEOUT", "3")];
    spawn_with(&site, &token, &lost, "mcilloni/sipp-client:latest", &wrong).await;
    let failed = site.wait_status(&token, &lost, Status::Failed).await;
    assert_ne!(failed.exit_code, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn stop_ends_a_workload_that_ignores_sigterm_within_the_deadline() {
    let site = Site::new(PopdRuntime::Native, &[]);
    let (mut c, token) = site.login().await;
    let name = site.name("stubborn");
    let addr = spawn_with(
        &site,
        &token,
        &name,
        IMAGE,
        &[("CMD", "trap '' TERM; while true; do sleep 1; done")],
    )
    .await;
    let ns = site.popd.native_netns_prefix();
    assert_eq!(native::namespaces(&ns).len(), 1);

    // Stop's timeout comes from the call's deadline; the call only succeeds if the workload
    // was ended (killed) before that deadline.
    let mut req = authed(&token, by_name(&name));
    req.set_timeout(Duration::from_secs(3));
    let started = Instant::now();
    c.stop(req).await.expect("stop within the deadline");
    println!("stop of a SIGTERM-ignoring workload took {:?} (deadline 3 s)", started.elapsed());

    let stopped = site.container(&token, &name).await.expect("container");
    assert!(matches!(stopped.status(), Status::Exited | Status::Failed), "{stopped:?}");
    assert!(native::namespaces(&ns).is_empty(), "its namespace is left");
    assert!(!site.runs(&name, &addr), "its address is still held in a namespace");
    let left =
        archipel_testkit::sh("ps -eo args").lines().filter(|l| l.contains("trap '' TERM")).count();
    assert_eq!(left, 0, "a process of it is left");
    // Its address is free again.
    c.create(authed(
        &token,
        config(&site.name("next"), IMAGE, &[(&site.popd.default_network.clone(), &addr)]),
    ))
    .await
    .expect("the address returned to the pool");
}

#[test]
#[ignore = "needs root"]
fn without_root_the_native_daemon_refuses_in_one_line() {
    archipel_testkit::require_root();
    let dir = tempfile::tempdir().expect("data dir");
    // The unprivileged user may write there: what must stop it is the runtime, not the disk.
    archipel_testkit::sh(&format!("chmod 0777 {}", dir.path().display()));
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
        .args([crate::harness::BIN, "popd", "--runtime", "native", "--listen", "127.0.0.1:0"])
        .arg("--insecure")
        .arg("--data-dir")
        .arg(dir.path())
        .env("POPD_AUTH", "admin:secret")
        .output()
        .expect("run popd through setpriv");
    assert!(!out.status.success(), "popd started without privileges");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "not one line: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains("needs root or CAP_NET_ADMIN"), "{stderr}");
}
