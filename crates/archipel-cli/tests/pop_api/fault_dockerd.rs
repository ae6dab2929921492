//! Fault suite, point 2: the Docker Engine restarted 6 times (`ARCHIPEL_FAULT_ROUNDS` for
//! more) under a popd holding 100 running containers. The engine is a private one (its own
//! socket, data and exec roots, containerd, default bridge, and no iptables rules), so
//! restarting it disturbs no other test; it runs with
//! `--live-restore`, as a production engine should, so the workloads survive its restarts.
//! After each restart popd's view is the engine's again; containers deleted meanwhile give
//! their addresses back to the pool (the pool holds exactly 100 addresses, so every new
//! container needs one given back); no address is held twice.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::{run, PopdRuntime};
use futures::future::join_all;
use pb::container::Status;

use crate::harness::{
    address, authed, by_name, config, fault_rounds, network_with_pool, Site, IMAGE,
};

const CONTAINERS: usize = 100;
const CHURN: usize = 5;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs docker"]
async fn a_restarted_docker_engine_is_followed_and_gives_addresses_back() {
    let restarts = fault_rounds(6);
    let mut engine = PrivateEngine::start();
    engine.load(IMAGE);
    // popd and the test's own `docker` calls talk to the private engine.
    std::env::set_var("DOCKER_HOST", engine.host());
    let site = Site::new(PopdRuntime::Docker, &[]);
    let (c, token) = site.login().await;
    let net = format!("{}-exact", site.popd.name);
    let cidr = site.subnet.slash24(1);
    let size = u32::try_from(CONTAINERS).expect("a small count");
    network_with_pool(&mut c.clone(), &token, &net, &cidr, size).await;

    let names: Vec<String> = (0..CONTAINERS).map(|i| site.name(&format!("d{i}"))).collect();
    start_all(&site, &token, &net, &names).await;
    let mut live = names;
    let (mut deleted, mut created) = (0, 0);
    for restart in 0..restarts {
        engine.restart();
        let listed = wait_in_step(&site, &token, &net, &live, restart).await;
        let running = listed.values().filter(|ct| ct.status() == Status::Running).count();
        assert_eq!(running, live.len(), "restart {restart}: workloads lost: {listed:?}");

        // Churn: some containers go, new ones need the addresses they gave back.
        let mut c = c.clone();
        for name in live.drain(..CHURN) {
            c.delete(authed(&token, by_name(&name))).await.expect("delete after a restart");
            deleted += 1;
        }
        let fresh: Vec<String> =
            (0..CHURN).map(|i| site.name(&format!("r{restart}-{i}"))).collect();
        start_all(&site, &token, &net, &fresh).await;
        created += CHURN;
        live.extend(fresh);
    }
    wait_in_step(&site, &token, &net, &live, restarts).await;
    println!(
        "fault dockerd-restart: restarts {restarts}, containers {CONTAINERS}, deleted {deleted}, \
         created in freed addresses {created}, lost 0, duplicate addresses 0, orphans 0"
    );
    drop(site);
    std::env::remove_var("DOCKER_HOST");
}

/// Creates and starts `names` on `net`, ten at a time.
async fn start_all(site: &Site, token: &str, net: &str, names: &[String]) {
    let (c, _) = site.login().await;
    for batch in names.chunks(10) {
        let calls = batch.iter().map(|name| {
            let (mut c, token, name) = (c.clone(), token.to_owned(), name.clone());
            let net = net.to_owned();
            async move {
                c.create(authed(&token, config(&name, IMAGE, &[(&net, "")])))
                    .await
                    .unwrap_or_else(|e| panic!("create {name}: {e:?}"));
                c.start(authed(&token, by_name(&name))).await.expect("start");
            }
        });
        join_all(calls).await;
    }
}

/// Waits until popd lists exactly `live`, each with an address of its own on `net`, and the
/// engine holds a container for each and no other; returns popd's listing.
async fn wait_in_step(
    site: &Site,
    token: &str,
    net: &str,
    live: &[String],
    restart: usize,
) -> BTreeMap<String, pb::Container> {
    let want: BTreeSet<&str> = live.iter().map(String::as_str).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (mut c, _) = site.login().await;
        let listed: BTreeMap<String, pb::Container> = c
            .containers(authed(token, pb::Filter::default()))
            .await
            .map(|r| r.into_inner().list)
            .unwrap_or_default()
            .into_iter()
            .map(|ct| (ct.names[0].clone(), ct))
            .collect();
        let names: BTreeSet<&str> = listed.keys().map(String::as_str).collect();
        let all_running = listed.values().all(|ct| ct.status() == Status::Running);
        if names == want && all_running && site.workloads() == live.len() {
            let addresses: BTreeSet<String> = listed.values().map(|ct| address(ct, net)).collect();
            assert_eq!(addresses.len(), live.len(), "restart {restart}: an address held twice");
            return listed;
        }
        assert!(
            Instant::now() < deadline,
            "restart {restart}: popd lists {} ({} running), the engine holds {}, want {}",
            names.len(),
            listed.values().filter(|ct| ct.status() == Status::Running).count(),
            site.workloads(),
            live.len()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A Docker Engine of the test's own, removed with it.
struct PrivateEngine {
    root: tempfile::TempDir,
    child: Option<Child>,
    /// Its default bridge: an engine started with `--bridge none` deletes the machine's
    /// `docker0`, which every later `docker build` and `docker run` of the machine needs.
    bridge: String,
}

impl PrivateEngine {
    fn start() -> Self {
        let root = tempfile::Builder::new()
            .prefix("archipel-dockerd-")
            .tempdir_in("/var/tmp")
            .expect("a directory for the private engine");
        // A documentation address (TEST-NET-1): nothing routes it.
        let bridge = archipel_testkit::unique("apdk");
        archipel_testkit::sh(&format!(
            "ip link add {bridge} type bridge && ip addr add 192.0.2.1/29 dev {bridge}"
        ));
        let mut engine = Self { root, child: None, bridge };
        engine.spawn();
        engine
    }

    fn host(&self) -> String {
        format!("unix://{}", self.root.path().join("docker.sock").display())
    }

    fn spawn(&mut self) {
        let dir = self.root.path();
        let log = std::fs::File::create(dir.join("dockerd.log")).expect("engine log");
        let child = Command::new("dockerd")
            .arg("--host")
            .arg(self.host())
            .arg("--data-root")
            .arg(dir.join("data"))
            .arg("--exec-root")
            .arg(dir.join("exec"))
            .arg("--pidfile")
            .arg(dir.join("dockerd.pid"))
            .args(["--bridge", &self.bridge, "--iptables=false", "--ip-masq=false"])
            .args(["--storage-driver", "vfs", "--live-restore", "--log-level", "warn"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start a private dockerd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !run("docker", &["-H", &self.host(), "info"]).status.success() {
            assert!(
                Instant::now() < deadline,
                "the private dockerd did not come up: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("dockerd.log")).unwrap_or_default()
    }

    /// Copies `image` from the machine's engine.
    fn load(&self, image: &str) {
        let line = format!("docker save {image} | docker -H {} load", self.host());
        archipel_testkit::sh(&line);
    }

    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let _ = run("kill", &["-TERM", &child.id().to_string()]);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    fn restart(&mut self) {
        self.stop();
        self.spawn();
    }
}

impl Drop for PrivateEngine {
    fn drop(&mut self) {
        // Live-restored workloads outlive the engine: remove them first.
        if self.child.is_some() {
            let host = self.host();
            let ids = run("docker", &["-H", &host, "ps", "-aq"]);
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = run("docker", &["-H", &host, "rm", "-f", id]);
            }
            let nets =
                run("docker", &["-H", &host, "network", "ls", "-q", "--filter", "type=custom"]);
            for id in String::from_utf8_lossy(&nets.stdout).split_whitespace() {
                let _ = run("docker", &["-H", &host, "network", "rm", id]);
            }
        }
        self.stop();
        let _ = run("ip", &["link", "delete", &self.bridge]);
        // The engine mounts its roots onto themselves, sometimes more than once; unmount
        // everything under the directory, deepest first, until nothing is left, so that it can
        // be removed.
        let under = self.root.path().display().to_string();
        for _ in 0..5 {
            let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
            let mut points: Vec<&str> = mounts
                .lines()
                .filter_map(|l| l.split_whitespace().nth(1))
                .filter(|p| p.starts_with(&under))
                .collect();
            if points.is_empty() {
                break;
            }
            points.sort_unstable_by_key(|p| std::cmp::Reverse(p.len()));
            for point in points {
                let _ = run("umount", &["-l", point]);
            }
        }
    }
}
