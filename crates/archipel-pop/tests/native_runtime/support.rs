//! Fixtures of the native runtime's tests: a site namespace of the test's own, a runtime on a
//! temporary state directory, and a guard that removes every namespace the test made, also when
//! it panics.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use archipel_netlink::RtNetlink;
use archipel_pop::runtime::native::{NativeConfig, NativeRuntime};
use archipel_pop::runtime::{
    EndpointSpec, NetworkAttachment, NetworkSpec, Runtime, RuntimeEvent, StartSpec, Started,
};
use futures::stream::BoxStream;
use futures::StreamExt;
use ipnet::Ipv4Net;

/// The test image: the repository's native twin of the Docker test image.
pub const IMAGE: &str = "archipel-test/busybox:latest";
/// Only guards against a hang; never a timing the test asserts.
pub const PATIENCE: Duration = Duration::from_secs(60);

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Runs a command; panics unless it succeeds; its stdout.
pub fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().expect("run a command");
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Fails the test (never skips it) when not running as root.
pub fn require_root() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test needs root (namespaces, bridges, veths): run it as root"
    );
}

/// The repository's `examples/images/native`.
pub fn example_images() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/images/native")
}

/// The example images as `build-native-images.sh` installs them (the SIPp ones with the root
/// filesystem it makes), in `dir`.
pub fn installed_example_images(dir: &Path) -> PathBuf {
    let script = example_images().join("../build-native-images.sh");
    run("sh", &[&script.to_string_lossy(), &dir.to_string_lossy()]);
    dir.to_owned()
}

/// The `archipel` binary beside this test's (cargo builds it with the workspace's tests): the
/// program that isolates images with a root filesystem. A runtime has it when it is built.
pub fn archipel_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().join("archipel")
}

/// One test's world: its instance, site namespace, state and image directories, and the
/// namespaces its workloads live in (removed on drop).
pub struct Site {
    pub instance: String,
    pub netns: String,
    pub dir: tempfile::TempDir,
    made: Mutex<Vec<String>>,
}

impl Site {
    pub fn new() -> Site {
        require_root();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let netns = format!("ant-{}-{n}", std::process::id());
        run("ip", &["netns", "add", &netns]);
        let site = Site {
            instance: format!("native-test-{}-{n}", std::process::id()),
            netns,
            dir: tempfile::tempdir().expect("a temporary directory"),
            made: Mutex::new(Vec::new()),
        };
        install_images(&site.images_dir());
        site
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn images_dir(&self) -> PathBuf {
        self.dir.path().join("images")
    }

    pub async fn runtime(&self) -> Arc<NativeRuntime> {
        let config = NativeConfig {
            instance: self.instance.clone(),
            state_dir: self.state_dir(),
            images_dir: self.images_dir(),
            site_netns: Some(self.netns.clone()),
            netlink: Arc::new(RtNetlink::new()),
            log_max_bytes: archipel_pop::runtime::native::DEFAULT_LOG_MAX_BYTES,
            helper: Some(archipel_bin()).filter(|bin| bin.is_file()),
        };
        Arc::new(NativeRuntime::new(config).await.expect("a native runtime"))
    }

    /// Remembers a namespace to remove when the test ends.
    pub fn track(&self, netns: &str) {
        self.made.lock().unwrap().push(netns.to_owned());
    }

    /// `ip -n SITE …`.
    pub fn ip(&self, args: &[&str]) -> String {
        let mut all = vec!["-n", self.netns.as_str()];
        all.extend_from_slice(args);
        run("ip", &all)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let made = self.made.lock().map(|m| m.clone()).unwrap_or_default();
        for netns in made.iter().chain([&self.netns]) {
            let pids = Command::new("ip").args(["netns", "pids", netns]).output();
            if let Ok(out) = pids {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-9", pid]).status();
                }
            }
            let _ = Command::new("ip").args(["netns", "del", netns]).output();
        }
    }
}

/// Copies the example echo image into `dir` (the runtime finds images dropped in by hand).
pub fn install_images(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let target = dir.join("echo");
    run("cp", &["-R", example_images().join("echo").to_str().unwrap(), target.to_str().unwrap()]);
}

/// A network `name` on `subnet` (a /24) with its gateway at .1.
pub fn network(name: &str, subnet: &str) -> NetworkSpec {
    let subnet: Ipv4Net = subnet.parse().unwrap();
    NetworkSpec {
        id: format!("id-{name}"),
        name: name.to_owned(),
        subnet,
        gateway: subnet.hosts().next().unwrap(),
        mtu: None,
    }
}

/// A workload of the test image at `.host` of the network, with `env` as its metadata.
pub fn spec(
    pop_id: &str,
    net: &NetworkSpec,
    at: &NetworkAttachment,
    host: u8,
    env: &[(&str, &str)],
) -> StartSpec {
    let octets = net.subnet.network().octets();
    StartSpec {
        pop_id: pop_id.to_owned(),
        name: format!("c-{pop_id}"),
        image: IMAGE.to_owned(),
        limits: Default::default(),
        env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        endpoints: vec![EndpointSpec {
            network: net.name.clone(),
            network_runtime_id: at.runtime_id.clone(),
            address: [octets[0], octets[1], octets[2], host].into(),
            prefix_len: net.subnet.prefix_len(),
            gateway: net.gateway,
        }],
    }
}

/// Starts `spec` and tracks its namespace.
pub async fn start(site: &Site, runtime: &NativeRuntime, spec: &StartSpec) -> Started {
    let started = runtime.start(spec).await.expect("start");
    site.track(&started.runtime_id);
    started
}

/// Waits for the exit of `runtime_id` on `events`; its code.
pub async fn exit_of(events: &mut BoxStream<'static, RuntimeEvent>, runtime_id: &str) -> i32 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = tokio::time::timeout(left, events.next())
            .await
            .unwrap_or_else(|_| panic!("no exit of {runtime_id} in {PATIENCE:?}"))
            .expect("the event stream ended");
        let RuntimeEvent::Exited { runtime_id: id, code, .. } = event;
        if id == runtime_id {
            return code;
        }
    }
}

/// Waits until the workload's output holds `needle`.
pub async fn wait_for_output(runtime: &NativeRuntime, runtime_id: &str, needle: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let output = runtime.logs(runtime_id, None, usize::MAX).await.expect("logs").output;
        if String::from_utf8_lossy(&output).contains(needle) {
            return;
        }
        assert!(Instant::now() < deadline, "{runtime_id} never wrote {needle:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The environment of a process, as /proc shows it.
pub fn environ(pid: u32) -> BTreeMap<String, String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).expect("read environ");
    raw.split(|b| *b == 0)
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let kv = String::from_utf8_lossy(kv);
            let (k, v) = kv.split_once('=').expect("KEY=VALUE");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// Whether a process runs under `pid` (a zombie does not).
pub fn runs(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().to_owned()))
        .is_some_and(|rest| !rest.starts_with('Z'))
}

/// The names `ip netns ls` lists.
pub fn namespaces() -> Vec<String> {
    run("ip", &["netns", "ls"])
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}
