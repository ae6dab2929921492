use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::cmd::{docker, docker_ok};

/// Which runtime a popd under test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopdRuntime {
    Docker,
    Native,
}

/// A real `archipel popd` process with its own data directory, instance name and default
/// network. Dropping it kills the process and removes everything of its instance in Docker.
#[derive(Debug)]
pub struct PopdProcess {
    child: Option<Child>,
    pub endpoint: String,
    pub name: String,
    pub auth: String,
    pub default_network: String,
    pub data_dir: TempDir,
    bin: String,
    extra: Vec<String>,
    runtime: PopdRuntime,
    /// Runs the `swarm` runtime (Docker engines, of a cluster the test sweeps).
    swarm: bool,
}

impl PopdProcess {
    /// Starts `bin popd` on a free loopback port with `POPD_AUTH=admin:<random>`, over TLS
    /// when `extra` holds `--tls-cert` (and `--tls-key`), else in plain text.
    pub fn start(bin: &str, runtime: PopdRuntime, default_subnet: &str, extra: &[&str]) -> Self {
        let mut p = Self::start_stopped(bin, runtime, default_subnet, extra);
        p.spawn();
        p
    }

    /// Everything [`PopdProcess::start`] prepares, but no process yet.
    fn start_stopped(
        bin: &str,
        runtime: PopdRuntime,
        default_subnet: &str,
        extra: &[&str],
    ) -> Self {
        let name = crate::unique("t");
        let data_dir = tempfile::tempdir().expect("popd data dir");
        if runtime == PopdRuntime::Native {
            install_native_images(&data_dir.path().join("images"));
        }
        Self {
            child: None,
            endpoint: String::new(),
            default_network: format!("{name}-private"),
            auth: format!("admin:{}-secret", crate::unique("pw")),
            name,
            data_dir,
            bin: bin.to_owned(),
            extra: [&["--default-subnet", default_subnet][..], extra]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            runtime,
            swarm: false,
        }
    }

    /// Starts `bin popd --runtime swarm` on the nodes of `swarm`.
    pub fn start_swarm(bin: &str, default_subnet: &str, swarm: &crate::swarm::Swarm) -> Self {
        let mut p = Self::start_stopped(bin, PopdRuntime::Docker, default_subnet, &[]);
        p.extra.extend(swarm.popd_args());
        p.swarm = true;
        p.spawn();
        p
    }

    fn spawn(&mut self) {
        let runtime = match self.runtime {
            PopdRuntime::Docker => "docker",
            PopdRuntime::Native => "native",
        };
        let runtime = if self.swarm { "swarm" } else { runtime };
        // Plain text on loopback unless the test gives TLS files: what is tested here is
        // mostly behaviour, not transport.
        let tls = self.extra.iter().any(|arg| arg == "--tls-cert");
        let mut cmd = Command::new(&self.bin);
        cmd.args(["popd", "--runtime", runtime, "--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .args(["--name", &self.name, "--default-network", &self.default_network])
            .args(&self.extra)
            .env("POPD_AUTH", &self.auth);
        if self.runtime == PopdRuntime::Native {
            cmd.arg("--images-dir").arg(self.images_dir());
        }
        if !tls {
            cmd.arg("--insecure");
        }
        let log = self.data_dir.path().join("popd.log");
        let (child, addr) = crate::daemon::spawn_listening(cmd, "popd", &log);
        self.endpoint = format!("{}://{addr}", if tls { "https" } else { "http" });
        self.child = Some(child);
    }

    /// The daemon's log (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("popd.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("popd runs").id()
    }

    /// `kill -9`: no chance to clean up, like a crash.
    pub fn kill9(&mut self) {
        crate::daemon::kill9(&mut self.child);
    }

    /// Starts the daemon again on the same data directory (a new port).
    pub fn restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    /// SIGTERM and wait for a clean exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        let Some(mut child) = self.child.take() else { return true };
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// The `archipel` command with this popd's endpoint and credentials in its environment.
    pub fn cli(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("POP_ENDPOINT", &self.endpoint).env("POP_AUTH", &self.auth);
        cmd
    }

    /// The prefix of this native popd's container namespaces.
    pub fn native_netns_prefix(&self) -> String {
        crate::native::netns_prefix(&self.name, self.data_dir.path())
    }

    /// The native image catalogue of this popd (`--images-dir`).
    pub fn images_dir(&self) -> std::path::PathBuf {
        self.data_dir.path().join("images")
    }

    /// The bridges of this popd's networks, asked of popd while it still answers.
    fn bridges(&self) -> Vec<String> {
        if self.child.is_none() {
            return Vec::new();
        }
        let out = self.cli().args(["pop", "--output", "json", "networks"]).output();
        out.ok()
            .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n["bridge"].as_str().map(str::to_owned))
            .collect()
    }

    /// Removes every Docker container and network labelled with this instance.
    pub fn docker_cleanup(&self) {
        if !docker_ok(&["info"]) {
            return;
        }
        let label = format!("label=archipel.popd={}", self.name);
        for id in docker(&["ps", "-aq", "--filter", &label]).split_whitespace() {
            let _ = docker_ok(&["rm", "-f", id]);
        }
        for id in docker(&["network", "ls", "-q", "--filter", &label]).split_whitespace() {
            let _ = docker_ok(&["network", "rm", id]);
        }
    }
}

fn install_native_images(dir: &Path) {
    let script =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/images/build-native-images.sh");
    let out = crate::cmd::run("sh", &[script, &dir.to_string_lossy()]);
    assert!(
        out.status.success(),
        "installing the native test images failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Drop for PopdProcess {
    fn drop(&mut self) {
        if self.runtime == PopdRuntime::Native {
            // Swept in the kernel rather than through the API: a test may have left hundreds
            // of containers, and popd may be the thing that failed.
            let mut bridges = self.bridges();
            // The default network's bridge too, which a popd stopped by the test (so no longer
            // answering) cannot name.
            let default =
                archipel_pop::runtime::native::bridge_name(&self.name, &self.default_network);
            if !bridges.contains(&default) {
                bridges.push(default);
            }
            self.kill9();
            crate::native::sweep(&self.native_netns_prefix());
            crate::native::remove_bridges(&bridges);
        } else if self.swarm {
            // Its cluster's engines are the test's to sweep (testkit::swarm).
            self.kill9();
        } else {
            self.kill9();
            self.docker_cleanup();
        }
    }
}
