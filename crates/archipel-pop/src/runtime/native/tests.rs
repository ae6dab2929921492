//! The runtime's logic on a fake host and fake netlink, so no root is needed: what is spawned,
//! re-adoption after a restart, a reused pid, interrupted starts, stop's escalation, the states
//! reported, and the sweep of orphans.

use std::collections::BTreeMap;
use std::time::Duration;

use archipel_netlink::FakeNetlink;
use futures::StreamExt;
use nix::sys::signal::Signal;
use tempfile::TempDir;

use super::host::fake::FakeHost;
use super::record::{Record, Status, WorkloadDir};
use super::*;
use crate::runtime::{EndpointSpec, WorkloadState};

const IMAGE: &str = "test/sleeper:latest";

struct Rig {
    root: TempDir,
    host: Arc<FakeHost>,
    netlink: Arc<FakeNetlink>,
}

impl Rig {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let image = root.path().join("images/sleeper");
        std::fs::create_dir_all(&image).unwrap();
        std::fs::write(
            image.join("manifest.toml"),
            format!("name = \"{IMAGE}\"\nentrypoint = [\"/bin/sleep\", \"1000\"]\n[env]\nPATH = \"/bin\"\n"),
        )
        .unwrap();
        Self { root, host: Arc::new(FakeHost::new()), netlink: Arc::new(FakeNetlink::new()) }
    }

    fn config(&self) -> NativeConfig {
        NativeConfig {
            instance: "popd-a".to_owned(),
            state_dir: self.root.path().join("native"),
            images_dir: self.root.path().join("images"),
            site_netns: None,
            netlink: self.netlink.clone(),
            log_max_bytes: super::DEFAULT_LOG_MAX_BYTES,
            helper: None,
        }
    }

    /// A runtime on the rig, as popd starts (or restarts) one.
    async fn runtime(&self) -> NativeRuntime {
        let runtime = NativeRuntime::on(self.config(), self.host.clone()).await.unwrap();
        let network = NetworkSpec {
            id: "n1".to_owned(),
            name: "private".to_owned(),
            subnet: "10.1.0.0/24".parse().unwrap(),
            gateway: "10.1.0.1".parse().unwrap(),
            mtu: None,
        };
        runtime.ensure_network(&network).await.unwrap();
        runtime
    }

    fn layout(&self) -> NativeLayout {
        NativeLayout::new("popd-a", &self.root.path().join("native"))
    }

    fn dir(&self, runtime_id: &str) -> WorkloadDir {
        WorkloadDir::new(&self.layout().state_dir, runtime_id)
    }
}

fn spec(pop_id: &str, host: u8) -> StartSpec {
    StartSpec {
        pop_id: pop_id.to_owned(),
        name: format!("c-{pop_id}"),
        image: IMAGE.to_owned(),
        limits: Default::default(),
        env: BTreeMap::from([("ROLE".to_owned(), "server".to_owned())]),
        endpoints: vec![EndpointSpec {
            network: "private".to_owned(),
            network_runtime_id: names::bridge("popd-a", "private"),
            address: format!("10.1.0.{host}").parse().unwrap(),
            prefix_len: 24,
            gateway: "10.1.0.1".parse().unwrap(),
        }],
    }
}

fn state(runtime: &NativeRuntime, runtime_id: &str) -> Status {
    runtime.inner.entry(runtime_id).unwrap().record().status
}

async fn managed(runtime: &NativeRuntime, runtime_id: &str) -> WorkloadState {
    let all = runtime.list_managed().await.unwrap();
    all.into_iter().find(|w| w.runtime_id == runtime_id).unwrap().state
}

/// Waits for the poller to report the end of `runtime_id`.
async fn exit_of(events: &mut BoxStream<'static, RuntimeEvent>, runtime_id: &str) -> i32 {
    let wait = async {
        loop {
            match events.next().await {
                Some(RuntimeEvent::Exited { runtime_id: id, code, .. }) if id == runtime_id => {
                    return code;
                }
                Some(_) => {}
                None => panic!("the event stream ended"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), wait).await.expect("an exit event")
}

#[tokio::test]
async fn starts_the_supervisor_in_the_namespace_with_exactly_its_environment() {
    let rig = Rig::new();
    let runtime = rig.runtime().await;
    let started = runtime.start(&spec("pop-1", 2)).await.unwrap();
    let id = started.runtime_id;
    assert_eq!(id, names::netns(rig.layout().owner_tag(), "pop-1"));
    assert!(rig.netlink.netns_exists(&id).await.unwrap());

    let spawned = rig.host.spawned();
    assert_eq!(spawned.len(), 1);
    let s = &spawned[0];
    assert_eq!(s.netns, id);
    assert!(s.program.ends_with("/unshare"), "{}", s.program);
    let unshare = ["--mount", "--uts", "--ipc", "--pid", "--fork", "--propagation", "private"];
    assert_eq!(s.args[..7], unshare);
    assert_eq!(s.args[7], "/bin/sh");
    let exit = rig.dir(&id).exit().to_string_lossy().into_owned();
    // One network: the network's hosts file, which names the container.
    let bridge = names::bridge("popd-a", "private");
    let hosts = rig.layout().network_hosts(&bridge).to_string_lossy().into_owned();
    assert!(std::fs::read_to_string(&hosts).unwrap().ends_with("10.1.0.2\tc-pop-1\n"));
    assert_eq!(s.args[10..13], ["archipel-supervisor", &exit, "-"]);
    assert!(s.args[13].ends_with("/mount"), "{:?}", s.args);
    assert_eq!(s.args[14], hosts);
    // Then the hosts file's target, the root filesystem (none), the host name, the cgroups
    // (none: no limit), the workload's directory, the command.
    assert_eq!(s.args[16], "");
    assert_eq!(s.args[17], "c-pop-1");
    assert_eq!(s.args[18], "");
    assert_eq!(s.args[19], rig.dir(&id).path().to_string_lossy());
    assert_eq!(s.args[20..], ["/bin/sleep", "1000"]);
    let env = [("PATH", "/bin"), ("ROLE", "server")].map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(s.env, BTreeMap::from(env));
    assert_eq!(s.cwd.as_deref(), Some(rig.dir(&id).work().as_path()));

    let process = ProcessId { pid: 1000, start_time: 10_000 };
    assert_eq!(runtime.process(&id), Some(process));
    assert_eq!(state(&runtime, &id), Status::Running);
    assert_eq!(managed(&runtime, &id).await, WorkloadState::Running);
}

#[tokio::test]
async fn a_failed_spawn_leaves_nothing_behind() {
    let rig = Rig::new();
    let runtime = rig.runtime().await;
    rig.host.fail_spawns();
    let err = runtime.start(&spec("pop-1", 2)).await.unwrap_err();
    assert!(matches!(err, RuntimeError::Failed { op: "start workload", .. }), "{err}");
    let id = names::netns(rig.layout().owner_tag(), "pop-1");
    assert!(!rig.netlink.netns_exists(&id).await.unwrap());
    assert!(!rig.dir(&id).path().exists());
    assert!(runtime.list_managed().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_restart_adopts_what_runs_and_finishes_what_ended_or_was_replaced() {
    let rig = Rig::new();
    let first = rig.runtime().await;
    let mut ids = Vec::new();
    for (host, pop_id) in (2..).zip(["adopted", "ended", "reused"]) {
        ids.push(first.start(&spec(pop_id, host)).await.unwrap().runtime_id);
    }
    drop(first);
    let [adopted, ended, reused] = [0, 1, 2].map(|i| ids[i].clone());
    // While popd was down: one workload ended with code 3, and the pid of another ended one
    // now belongs to an unrelated process started later.
    rig.host.end(1001);
    std::fs::write(rig.dir(&ended).exit(), "3\n").unwrap();
    rig.host.end(1002);
    rig.host.add(1002, 99_999, None);

    let second = rig.runtime().await;
    let mut events = second.events();
    assert_eq!(managed(&second, &ended).await, WorkloadState::Exited { code: 3 });
    assert_eq!(managed(&second, &reused).await, WorkloadState::Exited { code: 137 });
    let mut codes = BTreeMap::new();
    for _ in 0..2 {
        let Some(RuntimeEvent::Exited { runtime_id, code, .. }) =
            tokio::time::timeout(Duration::from_secs(5), events.next()).await.unwrap()
        else {
            panic!("an exit event")
        };
        codes.insert(runtime_id, code);
    }
    assert_eq!(codes, BTreeMap::from([(ended.clone(), 3), (reused.clone(), 137)]));

    // Adopted, never restarted; the unrelated process was never signalled.
    assert_eq!(rig.host.spawned().len(), 3);
    assert_eq!(state(&second, &adopted), Status::Running);
    assert!(rig.host.running(1000) && rig.host.running(1002));
    assert!(rig.host.signals().is_empty(), "{:?}", rig.host.signals());
    assert!(rig.netlink.netns_exists(&adopted).await.unwrap());
    for id in [&ended, &reused] {
        assert!(!rig.netlink.netns_exists(id).await.unwrap(), "{id} torn down");
        assert!(rig.dir(id).state().exists(), "its record stays until Remove");
    }
}

#[tokio::test]
async fn a_start_interrupted_by_a_crash_is_torn_down_at_the_next_start() {
    let rig = Rig::new();
    let id = names::netns(rig.layout().owner_tag(), "pop-1");
    let dir = rig.dir(&id);
    std::fs::create_dir_all(dir.path()).unwrap();
    let record = Record {
        runtime_id: id.clone(),
        pop_id: "pop-1".to_owned(),
        name: "c".to_owned(),
        image: "sha256:00".to_owned(),
        endpoints: Vec::new(),
        process: None,
        started_at: 1,
        status: Status::Starting,
        limits: Default::default(),
        oom_killed: false,
    };
    dir.save(&record).unwrap();
    rig.netlink.ensure_netns(&id).await.unwrap();

    let runtime = rig.runtime().await;
    assert_eq!(state(&runtime, &id), Status::Exited { code: 255 });
    assert!(!rig.netlink.netns_exists(&id).await.unwrap());
}

#[tokio::test]
async fn stop_asks_then_kills_a_workload_that_outlives_the_timeout() {
    let rig = Rig::new();
    let runtime = rig.runtime().await;
    let id = runtime.start(&spec("stubborn", 2)).await.unwrap().runtime_id;
    rig.host.ignore_term(1000);
    let stopped = runtime.stop(&id, Duration::from_millis(120)).await.unwrap();
    assert_eq!(stopped, Some(Stopped { code: 137, killed: true }));
    let signals = rig.host.signals();
    assert_eq!(
        signals,
        [
            (1000, Signal::SIGTERM, true),
            (1000, Signal::SIGTERM, false),
            (1000, Signal::SIGKILL, true)
        ]
    );
    assert_eq!(state(&runtime, &id), Status::Exited { code: 137 });
    assert!(!rig.netlink.netns_exists(&id).await.unwrap());

    // A second stop reports the code (the workload is over, nothing was killed now) and
    // signals nothing.
    let again = runtime.stop(&id, Duration::ZERO).await.unwrap();
    assert_eq!(again, Some(Stopped { code: 137, killed: false }));
    assert_eq!(rig.host.signals(), signals);
}

#[tokio::test]
async fn stop_reads_the_code_of_a_workload_that_ends_on_sigterm() {
    let rig = Rig::new();
    let runtime = rig.runtime().await;
    let id = runtime.start(&spec("polite", 2)).await.unwrap().runtime_id;
    // What its supervisor writes once the workload has ended on SIGTERM.
    std::fs::write(rig.dir(&id).exit(), "143\n").unwrap();
    let stopped = runtime.stop(&id, Duration::from_secs(10)).await.unwrap();
    assert_eq!(stopped, Some(Stopped { code: 143, killed: false }));
    assert_eq!(rig.host.signals(), [(1000, Signal::SIGTERM, true)]);
}

#[tokio::test]
async fn a_workload_that_ends_by_itself_is_reported_with_its_code() {
    let rig = Rig::new();
    let runtime = rig.runtime().await;
    let mut events = runtime.events();
    let id = runtime.start(&spec("short", 2)).await.unwrap().runtime_id;
    std::fs::write(rig.dir(&id).exit(), "0\n").unwrap();
    rig.host.end(1000);
    assert_eq!(managed(&runtime, &id).await, WorkloadState::Exited { code: 0 });
    assert_eq!(exit_of(&mut events, &id).await, 0);
    assert_eq!(state(&runtime, &id), Status::Exited { code: 0 });
    assert!(!rig.netlink.netns_exists(&id).await.unwrap());
}

#[tokio::test]
async fn orphans_go_and_other_owners_namespaces_stay() {
    let rig = Rig::new();
    let runtime = rig.runtime().await;
    let known = runtime.start(&spec("known", 2)).await.unwrap().runtime_id;
    let unknown = runtime.start(&spec("unknown", 3)).await.unwrap().runtime_id;
    let tag = rig.layout().owner_tag().to_owned();
    let unrecorded = names::netns(&tag, "lost");
    let foreign = names::netns("0badc0de", "theirs");
    for ns in [&unrecorded, &foreign] {
        rig.netlink.ensure_netns(ns).await.unwrap();
    }
    rig.host.add(7, 70, Some(&unrecorded));
    rig.host.add(8, 80, Some(&foreign));

    let removed = runtime.cleanup_orphans(&["known".to_owned()]).await.unwrap();
    assert_eq!(removed, [unknown.clone(), unrecorded.clone()]);
    assert!(!rig.host.running(7) && !rig.host.running(1001));
    assert!(rig.host.running(8) && rig.host.running(1000));
    assert!(rig.netlink.netns_exists(&foreign).await.unwrap());
    assert!(rig.netlink.netns_exists(&known).await.unwrap());
    assert!(!rig.dir(&unknown).path().exists());
}
