//! The Docker runtime against the local Docker Engine. Needs Docker (fails when it is
//! unreachable) and the test image of `examples/images/build-docker-test-images.sh`, which it
//! builds first. Every test labels what it creates with its own popd instance (pid and counter);
//! a guard removes all of it, even when the test panics.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use archipel_pop::runtime::docker::DockerRuntime;
use archipel_pop::runtime::{
    EndpointSpec, NetworkAttachment, NetworkSpec, Runtime, RuntimeError, RuntimeEvent, StartSpec,
    Stopped, WorkloadState, LABEL_POPD,
};
use futures::StreamExt;

const IMAGE: &str = "archipel-test/busybox:latest";
/// Labels what a test creates behind the runtime's back (a foreign network or container).
const LABEL_TEST: &str = "archipel.test";
/// Only guards against a hang; never a timing the test asserts.
const PATIENCE: Duration = Duration::from_secs(60);

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// Runs the docker CLI; panics unless it succeeds; its stdout.
fn docker(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().expect("run docker");
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

/// Removes every container and network of the test's instances, and whatever it labelled
/// `archipel.test=<instance>`.
struct Cleanup {
    instances: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let run = |args: &[&str]| Command::new("docker").args(args).output().ok();
        let ids = |args: &[&str]| {
            run(args).map_or_else(Vec::new, |o| lines(&String::from_utf8_lossy(&o.stdout)))
        };
        let filters: Vec<String> = self
            .instances
            .iter()
            .flat_map(|i| [format!("label={LABEL_POPD}={i}"), format!("label={LABEL_TEST}={i}")])
            .collect();
        // Every container first: one instance's may hold another's network.
        for filter in &filters {
            for id in ids(&["ps", "-aq", "--filter", filter]) {
                run(&["rm", "-f", "-v", &id]);
            }
        }
        for filter in &filters {
            for id in ids(&["network", "ls", "-q", "--filter", filter]) {
                run(&["network", "rm", &id]);
            }
        }
    }
}

/// A runtime for a fresh instance, with the guard that cleans up after it.
async fn runtime() -> (DockerRuntime, Cleanup) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/images/build-docker-test-images.sh");
    let status = Command::new(&script).status().expect("run the image build script");
    assert!(status.success(), "{} failed", script.display());
    let instance = unique("aptest");
    let cleanup = Cleanup { instances: vec![instance.clone()] };
    let runtime = DockerRuntime::connect(&instance)
        .await
        .expect("the Docker Engine must be reachable for these tests");
    (runtime, cleanup)
}

/// A network with a /24 of its own in 10.128.0.0/9, chosen by pid and counter so concurrent
/// test processes do not overlap (Docker refuses overlapping bridge subnets).
fn network_spec() -> NetworkSpec {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let index = (std::process::id().wrapping_mul(16).wrapping_add(n)) % 32768;
    let [_, _, hi, lo] = index.to_be_bytes();
    let subnet = format!("10.{}.{lo}.0/24", 128 + u32::from(hi));
    let subnet: ipnet::Ipv4Net = subnet.parse().unwrap();
    NetworkSpec {
        id: unique("net-id"),
        name: unique("apnet"),
        subnet,
        gateway: host(&subnet, 1),
        mtu: None,
    }
}

fn host(subnet: &ipnet::Ipv4Net, n: u8) -> Ipv4Addr {
    let [a, b, c, _] = subnet.network().octets();
    Ipv4Addr::new(a, b, c, n)
}

fn start_spec(
    network: &NetworkSpec,
    attachment: &NetworkAttachment,
    address: Ipv4Addr,
    env: &[(&str, &str)],
) -> StartSpec {
    StartSpec {
        pop_id: unique("pop"),
        name: unique("apct"),
        image: IMAGE.to_owned(),
        limits: Default::default(),
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        endpoints: vec![EndpointSpec {
            network: network.name.clone(),
            network_runtime_id: attachment.runtime_id.clone(),
            address,
            prefix_len: network.subnet.prefix_len(),
            gateway: network.gateway,
        }],
    }
}

/// Container names of everything labelled with `label`, stopped or not.
fn containers_labelled(label: &str) -> Vec<String> {
    lines(&docker(&["ps", "-a", "--format", "{{.Names}}", "--filter", &format!("label={label}")]))
}

#[tokio::test]
#[ignore = "needs docker"]
async fn containers_on_a_network_talk_stop_and_leave_nothing() {
    let (runtime, cleanup) = runtime().await;
    assert_eq!(runtime.kind(), "docker");
    let net = network_spec();
    let attachment = runtime.ensure_network(&net).await.unwrap();
    assert!(attachment.bridge.starts_with("ap-") && attachment.bridge.len() == 15);
    assert_eq!(attachment.netns, None);
    assert!(attachment.in_use.is_empty());
    let again = runtime.ensure_network(&net).await.unwrap();
    assert_eq!(again, attachment, "a second ensure adopts the same network");

    let (a_addr, b_addr) = (host(&net.subnet, 10), host(&net.subnet, 11));
    let a = start_spec(&net, &attachment, a_addr, &[("ROLE", "a"), ("SITE", "x")]);
    let b = start_spec(&net, &attachment, b_addr, &[("ROLE", "b")]);
    let a_started = runtime.start(&a).await.unwrap();
    let b_started = runtime.start(&b).await.unwrap();
    assert!(a_started.started_at > 0);
    assert!(a_started.macs.contains_key(&net.name), "{:?}", a_started.macs);

    let env = docker(&["exec", &a.name, "env"]);
    assert!(env.lines().any(|l| l == "ROLE=a"), "{env}");
    assert!(env.lines().any(|l| l == "SITE=x"), "{env}");
    docker(&["exec", &a.name, "ping", "-c1", "-W2", &b_addr.to_string()]);
    docker(&["exec", &b.name, "ping", "-c1", "-W2", &a_addr.to_string()]);

    let managed = runtime.list_managed().await.unwrap();
    assert_eq!(managed.len(), 2, "{managed:?}");
    for (spec, started) in [(&a, &a_started), (&b, &b_started)] {
        let found = managed.iter().find(|m| m.runtime_id == started.runtime_id).expect("listed");
        assert_eq!(found.pop_id, spec.pop_id);
        assert_eq!(found.state, WorkloadState::Running);
        assert_eq!(found.started_at, started.started_at);
    }

    let stopped = runtime.stop(&a_started.runtime_id, Duration::from_secs(10)).await.unwrap();
    assert_eq!(stopped, Some(Stopped { code: 0, killed: false }), "the trap ends it");
    let again = runtime.stop(&a_started.runtime_id, Duration::from_secs(10)).await.unwrap();
    assert_eq!(again, Some(Stopped { code: 0, killed: false }), "already exited");

    for started in [&a_started, &b_started] {
        runtime.remove(&started.runtime_id).await.unwrap();
        runtime.remove(&started.runtime_id).await.unwrap();
    }
    runtime.remove_network(&net).await.unwrap();
    runtime.remove_network(&net).await.unwrap();
    let instance_label = format!("{LABEL_POPD}={}", runtime.instance());
    assert!(containers_labelled(&instance_label).is_empty());
    let networks = lines(&docker(&["network", "ls", "--format", "{{.Name}}"]));
    assert!(!networks.contains(&net.name), "{networks:?}");
    assert!(matches!(
        runtime.stop(&a_started.runtime_id, PATIENCE).await,
        Err(RuntimeError::WorkloadNotFound(_))
    ));
    drop(cleanup);
}

#[tokio::test]
#[ignore = "needs docker"]
async fn exits_reach_events_listing_and_logs() {
    let (runtime, _cleanup) = runtime().await;
    let net = network_spec();
    let attachment = runtime.ensure_network(&net).await.unwrap();
    let mut events = runtime.events();
    let spec = start_spec(
        &net,
        &attachment,
        host(&net.subnet, 20),
        &[("CMD", "echo out; echo err >&2; exit 3")],
    );
    let started = runtime.start(&spec).await.unwrap();

    let event = tokio::time::timeout(PATIENCE, events.next())
        .await
        .expect("an exit event")
        .expect("the event stream is open");
    assert_eq!(
        event,
        RuntimeEvent::Exited {
            pop_id: spec.pop_id.clone(),
            runtime_id: started.runtime_id.clone(),
            code: 3,
            oom_killed: false,
        }
    );
    let managed = runtime.list_managed().await.unwrap();
    assert_eq!(managed.len(), 1, "{managed:?}");
    assert_eq!(managed[0].state, WorkloadState::Exited { code: 3 });
    assert_eq!(managed[0].pop_id, spec.pop_id);

    let logs = String::from_utf8(
        runtime.logs(&started.runtime_id, None, usize::MAX).await.unwrap().output,
    )
    .unwrap();
    assert_eq!(lines(&logs).len(), 2, "{logs}");
    assert!(logs.contains("out\n") && logs.contains("err\n"), "{logs}");
    let last = runtime.logs(&started.runtime_id, Some(1), usize::MAX).await.unwrap().output;
    assert_eq!(lines(&String::from_utf8(last).unwrap()).len(), 1);

    let stopped = runtime.stop(&started.runtime_id, PATIENCE).await.unwrap();
    assert_eq!(stopped, Some(Stopped { code: 3, killed: false }));
    runtime.remove(&started.runtime_id).await.unwrap();
    assert!(matches!(
        runtime.logs(&started.runtime_id, None, usize::MAX).await,
        Err(RuntimeError::WorkloadNotFound(_))
    ));
}

#[tokio::test]
#[ignore = "needs docker"]
async fn a_workload_that_ignores_sigterm_is_killed() {
    let (runtime, _cleanup) = runtime().await;
    let net = network_spec();
    let attachment = runtime.ensure_network(&net).await.unwrap();
    let spec = start_spec(
        &net,
        &attachment,
        host(&net.subnet, 30),
        &[("CMD", "trap '' TERM; while true; do sleep 1; done")],
    );
    let started = runtime.start(&spec).await.unwrap();
    let stopped = runtime.stop(&started.runtime_id, Duration::from_millis(100)).await.unwrap();
    assert_eq!(stopped, Some(Stopped { code: 137, killed: true }));
}

#[tokio::test]
#[ignore = "needs docker"]
async fn failed_starts_leave_nothing() {
    let (runtime, _cleanup) = runtime().await;
    let net = network_spec();
    let attachment = runtime.ensure_network(&net).await.unwrap();
    let address = host(&net.subnet, 40);
    let holder = start_spec(&net, &attachment, address, &[]);
    runtime.start(&holder).await.unwrap();

    let mut missing = start_spec(&net, &attachment, host(&net.subnet, 41), &[]);
    missing.image = "archipel-test/no-such-image:latest".to_owned();
    match runtime.start(&missing).await {
        Err(RuntimeError::ImageNotFound(image)) => assert_eq!(image, missing.image),
        other => panic!("expected ImageNotFound, got {other:?}"),
    }
    let taken = start_spec(&net, &attachment, address, &[]);
    assert!(runtime.start(&taken).await.is_err(), "the address is held");

    let mut second_net_taken = start_spec(&net, &attachment, host(&net.subnet, 42), &[]);
    let mut extra = second_net_taken.endpoints[0].clone();
    extra.network_runtime_id = "archipel-no-such-network".to_owned();
    second_net_taken.endpoints.push(extra);
    assert!(runtime.start(&second_net_taken).await.is_err());

    let instance_label = format!("{LABEL_POPD}={}", runtime.instance());
    assert_eq!(containers_labelled(&instance_label), vec![holder.name.clone()]);
    let managed = runtime.list_managed().await.unwrap();
    assert_eq!(managed.len(), 1);
    assert_eq!(managed[0].pop_id, holder.pop_id);
}

#[tokio::test]
#[ignore = "needs docker"]
async fn several_networks_and_instances_stay_apart() {
    let (runtime, mut cleanup) = runtime().await;
    let other_instance = unique("aptest-other");
    cleanup.instances.push(other_instance.clone());
    let other = DockerRuntime::connect(&other_instance).await.unwrap();

    let (net1, net2) = (network_spec(), network_spec());
    let at1 = runtime.ensure_network(&net1).await.unwrap();
    let at2 = runtime.ensure_network(&net2).await.unwrap();
    let mut spec = start_spec(&net1, &at1, host(&net1.subnet, 50), &[]);
    let second = start_spec(&net2, &at2, host(&net2.subnet, 51), &[]);
    spec.endpoints.extend(second.endpoints);
    let started = runtime.start(&spec).await.unwrap();
    let mut names = vec![net1.name.clone(), net2.name.clone()];
    names.sort();
    assert_eq!(started.macs.keys().cloned().collect::<Vec<_>>(), names);
    let addresses = docker(&["exec", &spec.name, "ip", "-4", "addr"]);
    assert!(addresses.contains(&format!("{}/24", host(&net1.subnet, 50))), "{addresses}");
    assert!(addresses.contains(&format!("{}/24", host(&net2.subnet, 51))), "{addresses}");

    let theirs = start_spec(&net1, &at1, host(&net1.subnet, 52), &[]);
    let their_start = other.start(&theirs).await.unwrap();
    let mine = runtime.list_managed().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].runtime_id, started.runtime_id);
    let listed = other.list_managed().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].runtime_id, their_start.runtime_id);

    let adopted = runtime.ensure_network(&net1).await.unwrap();
    assert_eq!(adopted.in_use, vec![host(&net1.subnet, 52)], "the other instance's");
}

#[tokio::test]
#[ignore = "needs docker"]
async fn foreign_networks_are_adopted_or_refused() {
    let (runtime, _cleanup) = runtime().await;
    let mut net = network_spec();
    let test_label = format!("{LABEL_TEST}={}", runtime.instance());
    let id = docker(&[
        "network",
        "create",
        "--subnet",
        &net.subnet.to_string(),
        "--label",
        &test_label,
        &net.name,
    ]);
    let id = id.trim();
    let foreign = host(&net.subnet, 60);
    docker(&[
        "run",
        "-d",
        "--label",
        &test_label,
        "--network",
        &net.name,
        "--ip",
        &foreign.to_string(),
        IMAGE,
    ]);

    let adopted = runtime.ensure_network(&net).await.unwrap();
    assert_eq!(adopted.runtime_id, id);
    assert_eq!(adopted.bridge, format!("br-{}", &id[..12]));
    assert_eq!(adopted.in_use, vec![foreign]);
    runtime.update_network(&net).await.unwrap();
    net.mtu = Some(1400);
    assert!(matches!(runtime.update_network(&net).await, Err(RuntimeError::Failed { .. })));

    let mut elsewhere = net.clone();
    elsewhere.subnet = "10.127.254.0/24".parse().unwrap();
    match runtime.ensure_network(&elsewhere).await {
        Err(RuntimeError::NetworkConflict { name, found, .. }) => {
            assert_eq!(name, net.name);
            assert_eq!(found, net.subnet.to_string());
        }
        other => panic!("expected NetworkConflict, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs docker"]
async fn mtu_and_images() {
    let (runtime, _cleanup) = runtime().await;
    let mut net = network_spec();
    net.mtu = Some(1400);
    let attachment = runtime.ensure_network(&net).await.unwrap();
    // Docker gives the MTU to the containers' interfaces (the bridge follows its ports).
    let spec = start_spec(&net, &attachment, host(&net.subnet, 70), &[]);
    runtime.start(&spec).await.unwrap();
    let mtu = docker(&["exec", &spec.name, "cat", "/sys/class/net/eth0/mtu"]);
    assert_eq!(mtu.trim(), "1400");
    runtime.update_network(&net).await.unwrap();
    net.mtu = Some(1300);
    assert!(runtime.update_network(&net).await.is_err());

    let images = runtime.images().await.unwrap();
    let image = images
        .iter()
        .find(|i| i.names.iter().any(|n| n == IMAGE))
        .expect("the test image is listed");
    assert!(image.created > 0);
    let short_id = &image.id["sha256:".len()..][..12];
    for reference in ["archipel-test/busybox", IMAGE, &image.id, short_id] {
        let found = runtime.image(reference).await.unwrap();
        assert_eq!(found.as_ref(), Some(image), "{reference}");
    }
    assert_eq!(runtime.image("archipel-test/busybox:nope").await.unwrap(), None);
}
