//! One lab per test, driven through the real `archipel` binary.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Command, Output};

use archipel_lab::LabContext;
use archipel_pop::runtime::native::{self, NativeLayout};
use archipel_testkit::{processes_under, TestSubnet};
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_archipel");
pub const IMAGE: &str = "archipel-test/busybox:latest";

/// A lab of its own; taken down on drop (checked by [`Lab::down`]).
pub struct Lab {
    pub ctx: LabContext,
    pub subnet: TestSubnet,
    dir: PathBuf,
    _root: tempfile::TempDir,
    down: bool,
}

impl Lab {
    /// `archipel lab up --sites N` with a unique name, the last /24 of a leased /20 as the
    /// underlay, and the example native images installed.
    pub fn up(sites: usize) -> Self {
        Self::up_with(sites, |_| Vec::new())
    }

    /// [`Lab::up`] in plain text (`--insecure`): the agents know each other by pair keys.
    pub fn up_insecure(sites: usize) -> Self {
        Self::up_with(sites, |_| vec!["--insecure".to_owned()])
    }

    /// [`Lab::up`] with the agents carrying inter-site traffic in plain VXLAN
    /// (`--encryption none`).
    pub fn up_plain_vxlan(sites: usize) -> Self {
        Self::up_with(sites, |_| vec!["--encryption".to_owned(), "none".to_owned()])
    }

    /// [`Lab::up`] with site `site` on the host's Docker Engine, its default network on the
    /// 14th /24 of the lease. Needs a running Docker Engine and the Docker test images.
    pub fn up_with_docker(sites: usize, site: &str) -> Self {
        archipel_testkit::require_docker();
        Self::up_with(sites, |subnet| {
            let docker = ["--docker-site", site, "--docker-subnet", &subnet.slash24(14)];
            docker.iter().map(|a| (*a).to_owned()).collect()
        })
    }

    /// [`Lab::up`] with site a a Docker Swarm cluster of `nodes` nodes (`--swarm-nodes`).
    /// Needs a running Docker Engine and the Docker test images (loaded into every node).
    pub fn up_with_swarm(sites: usize, nodes: usize) -> Self {
        archipel_testkit::require_docker();
        Self::up_with(sites, |_| vec!["--swarm-nodes".to_owned(), nodes.to_string()])
    }

    fn up_with(sites: usize, extra: impl FnOnce(&TestSubnet) -> Vec<String>) -> Self {
        archipel_testkit::require_root();
        let subnet = TestSubnet::lease();
        let root = tempfile::tempdir().expect("lab root");
        let dir = root.path().join("lab");
        let images = dir.join("images");
        let script =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/images/build-native-images.sh");
        let installed = archipel_testkit::run("sh", &[script, images.to_str().unwrap()]);
        assert!(installed.status.success(), "{}", String::from_utf8_lossy(&installed.stderr));
        let name = archipel_testkit::unique("l");
        let underlay = subnet.slash24(15);
        let sites = sites.to_string();
        let extra = extra(&subnet);
        let mut args = vec!["up", "--sites", &sites, "--name", &name, "--underlay", &underlay];
        args.extend(extra.iter().map(String::as_str));
        let out = lab_cmd(&dir, &args);
        assert!(out.status.success(), "lab up failed: {}", text(&out.stderr));
        let ctx = LabContext::load(&dir.join("lab.json")).expect("the lab's context");
        Self { ctx, subnet, dir, _root: root, down: false }
    }

    /// `archipel lab ARGS` on this lab.
    pub fn lab(&self, args: &[&str]) -> Output {
        lab_cmd(&self.dir, args)
    }

    /// `archipel ARGS` pointed at `site` (its popd and agent), as `lab env` says.
    pub fn cli(&self, site: &str, args: &[&str]) -> Output {
        self.command(site, args).output().expect("run archipel")
    }

    /// The command [`Lab::cli`] runs, to start it in the background.
    pub fn command(&self, site: &str, args: &[&str]) -> Command {
        let s = self.ctx.site(site).unwrap();
        let mut cmd = Command::new(BIN);
        if let Some(ca) = &self.ctx.ca {
            cmd.env("ARCHIPEL_CA", ca);
        }
        cmd.args(args)
            .env("POP_ENDPOINT", &s.popd_url)
            .env("POP_AUTH", &s.popd_auth)
            .env("ARCHIPEL_AGENT", &s.agent_url)
            .env("ARCHIPEL_AGENT_TOKEN", &s.agent_token)
            .env("RUST_LOG", "error");
        cmd
    }

    /// The lab's context as it is now (a restart changes the pids in it).
    pub fn current(&self) -> LabContext {
        LabContext::load(&self.dir.join("lab.json")).expect("the lab's context")
    }

    /// The pid of the site's agent as the lab's context has it now (a restart changes it).
    pub fn agent_pid(&self, site: &str) -> u32 {
        self.current().site(site).unwrap().agent_pid.expect("the agent's pid")
    }

    /// `lab restart-popd SITE`: its popd again on its data directory and its port.
    pub fn restart_popd(&self, site: &str) {
        let out = self.lab(&["restart-popd", site]);
        assert!(out.status.success(), "restart the popd of {site}: {}", text(&out.stderr));
    }

    /// `archipel ARGS -o json` at `site`, which must succeed.
    pub fn json(&self, site: &str, args: &[&str]) -> Value {
        let out = self.cli(site, &[args, &["-o", "json"]].concat());
        archipel_testkit::json_output(&out, &format!("{args:?} at {site}"), String::new)
    }

    pub fn network(&self, site: &str, name: &str, cidr: &str) -> Value {
        self.json(site, &["pop", "network", "create", name, "--subnet", cidr])
    }

    /// An idle busybox container of `site` on `net`; returns its address and namespace.
    pub fn container(&self, site: &str, name: &str, net: &str) -> (Ipv4Addr, String) {
        let words = [&format!("image={IMAGE}"), &format!("name={name}"), &format!("net={net}")];
        let c = self.json(site, &["pop", "spawn", words[0], words[1], words[2]]);
        assert_eq!(c["status"], "RUNNING", "{c}");
        let addr: Ipv4Addr = c["ips"][net][0].as_str().expect("an address").parse().unwrap();
        (addr, self.netns_of(site, addr))
    }

    /// The namespace of the site's container holding `addr`.
    pub fn netns_of(&self, site: &str, addr: Ipv4Addr) -> String {
        let wanted = format!(" {addr}/");
        self.container_namespaces(site)
            .into_iter()
            .find(|ns| sh_out("ip", &["-n", ns, "-4", "-o", "addr"]).contains(&wanted))
            .unwrap_or_else(|| panic!("no container of site {site} holds {addr}"))
    }

    /// The namespaces of the site's containers, as its popd's native runtime recorded them.
    pub fn container_namespaces(&self, site: &str) -> Vec<String> {
        let data = self.ctx.site(site).unwrap().popd_data();
        let instance = format!("{}-{site}", self.ctx.name);
        NativeLayout::new(&instance, &native::state_dir(&data)).recorded().unwrap_or_default()
    }

    pub fn netns(&self, site: &str) -> String {
        self.ctx.site(site).unwrap().netns.clone()
    }

    /// `ip -n HUB link set TO-SITE down|up`: the hub's side of the site's underlay veth, so the
    /// site is cut off from (or back on) the underlay.
    pub fn set_underlay(&self, site: &str, up: bool) {
        let link = &self.ctx.site(site).unwrap().hub_link;
        let state = if up { "up" } else { "down" };
        archipel_testkit::sh(&format!("ip -n {} link set dev {link} {state}", self.ctx.hub_netns));
    }

    /// Link names of the site: in its namespace, or in the host's for the site on Docker.
    pub fn links(&self, site: &str) -> Vec<String> {
        let out = if self.ctx.site(site).unwrap().on_docker() {
            sh_out("ip", &["-o", "link"])
        } else {
            sh_out("ip", &["-n", &self.netns(site), "-o", "link"])
        };
        out.lines()
            .filter_map(|l| l.split(": ").nth(1))
            .map(|n| n.split('@').next().unwrap_or(n).to_owned())
            .collect()
    }

    /// `lab down`, then checks that no namespace, link or process of the lab remains.
    pub fn down(mut self) {
        let mut namespaces: Vec<String> =
            self.ctx.sites.iter().flat_map(|s| self.container_namespaces(&s.name)).collect();
        namespaces.extend(self.ctx.sites.iter().map(|s| s.netns.clone()));
        let nodes = self.ctx.sites.iter().flat_map(|s| &s.swarm_nodes);
        namespaces.extend(nodes.map(|n| n.netns.clone()));
        namespaces.push(self.ctx.hub_netns.clone());
        let out = self.lab(&["down"]);
        self.down = true;
        assert!(out.status.success(), "lab down failed: {}", text(&out.stderr));
        let listed = sh_out("ip", &["netns", "ls"]);
        for ns in &namespaces {
            assert!(!listed.lines().any(|l| l.split(' ').next() == Some(ns)), "{ns} is left");
        }
        let host = Command::new("ip").args(["link", "show", &self.ctx.host_link]).output();
        assert!(!host.unwrap().status.success(), "{} is left", self.ctx.host_link);
        assert_eq!(processes_under(&self.ctx.dir), Vec::<u32>::new(), "processes are left");
        let again = self.lab(&["down"]);
        assert!(again.status.success(), "a second lab down failed: {}", text(&again.stderr));
    }

    fn logs(&self) -> String {
        let mut all = String::new();
        for s in &self.ctx.sites {
            for log in [s.popd_log(), s.agent_log()] {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(15)..].join("\n");
                all += &format!("--- {}\n{tail}\n", log.display());
            }
        }
        all
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.down {
            return;
        }
        if std::thread::panicking() {
            eprintln!("the lab's logs:\n{}", self.logs());
        }
        let _ = self.lab(&["down"]);
    }
}

fn lab_cmd(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("lab")
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "error")
        // info unless the developer asks for more (debug, trace).
        .env(
            "ARCHIPEL_LAB_LOG",
            std::env::var("ARCHIPEL_LAB_LOG").unwrap_or_else(|_| "info".into()),
        )
        .output()
        .expect("run archipel lab")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sh_out(program: &str, args: &[&str]) -> String {
    text(&archipel_testkit::run(program, args).stdout)
}

/// `ip netns exec NS busybox ping -c1 -W1 ADDR`, a few attempts so that a loaded machine (or
/// the first ARP exchange) does not fail it.
pub fn pings(from: &str, addr: Ipv4Addr) -> bool {
    let addr = addr.to_string();
    let args = ["netns", "exec", from, "busybox", "ping", "-c1", "-W1", &addr];
    (0..5).any(|_| Command::new("ip").args(args).output().is_ok_and(|o| o.status.success()))
}

/// The /23 number `i` (0..8) of the lab's leased /20.
pub fn slash23(subnet: &TestSubnet, i: u32) -> String {
    subnet.slash24(2 * i).replace("/24", "/23")
}

/// Waits (10 s at most) until something listens on TCP `port` in namespace `ns`: a server just
/// spawned may not listen yet, and a client refused at once would fail the test.
pub fn wait_listening(ns: &str, port: u16) {
    let wanted = format!(":{port} ");
    for _ in 0..100 {
        if sh_out("ip", &["netns", "exec", ns, "ss", "-ltnH"]).contains(&wanted) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("nothing listens on port {port} in {ns}");
}

/// A 5 s TCP stream (iperf3) from namespace `from` to the server started in namespace `to`,
/// which listens on `target` before the client starts.
pub struct Stream {
    server: std::process::Child,
    client: std::process::Child,
}

impl Stream {
    pub fn start(from: &str, to: &str, target: Ipv4Addr) -> Self {
        let spawn = |ns: &str, args: &[&str], stdout: std::process::Stdio| {
            Command::new("ip")
                .args(["netns", "exec", ns, "iperf3"])
                .args(args)
                .stdout(stdout)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start iperf3")
        };
        let server = spawn(to, &["-s", "-1"], std::process::Stdio::null());
        wait_listening(to, 5201);
        let target = target.to_string();
        let client = spawn(from, &["-c", &target, "-t", "5", "-J"], std::process::Stdio::piped());
        Self { server, client }
    }

    /// Waits for the stream's end: it must have carried bytes and lost no connection.
    pub fn assert_unbroken(mut self, during: &str) {
        let flowed = self.client.wait_with_output().expect("the stream ends");
        let _ = self.server.kill();
        let _ = self.server.wait();
        let report: serde_json::Value =
            serde_json::from_slice(&flowed.stdout).unwrap_or_else(|_| {
                panic!("iperf3 -J said: {}{}", text(&flowed.stdout), text(&flowed.stderr))
            });
        assert!(report.get("error").is_none(), "the stream broke {during}: {}", report["error"]);
        let received = report["end"]["sum_received"]["bytes"].as_u64().unwrap_or_default();
        assert!(received > 0, "nothing was received {during}: {report}");
    }
}

/// `iperf3 -n 100M` from namespace `from` to the server started in namespace `to` on
/// `target`: every byte arrives over one unbroken connection.
pub fn carries_100_mb(from: &str, to: &str, target: Ipv4Addr) {
    let mut server = Command::new("ip")
        .args(["netns", "exec", to, "iperf3", "-s", "-1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start iperf3 -s");
    wait_listening(to, 5201);
    let target = target.to_string();
    let client = ["netns", "exec", from, "iperf3", "-c", &target, "-n", "100M", "-J"];
    let sent = Command::new("ip").args(client).output().expect("run iperf3 -c");
    let served = server.wait().expect("iperf3 -s ends");
    let report: Value = serde_json::from_slice(&sent.stdout)
        .unwrap_or_else(|_| panic!("iperf3 -J said: {}{}", text(&sent.stdout), text(&sent.stderr)));
    assert!(report.get("error").is_none(), "the transfer to {target} broke: {}", report["error"]);
    // The receiver's own count may stop short of the last bytes it read: what was sent over
    // a connection that ended without error is what arrived.
    let sent = report["end"]["sum_sent"]["bytes"].as_u64().unwrap_or_default();
    assert!(sent >= 100 << 20, "{sent} bytes of 100 MiB were sent to {target}");
    let received = report["end"]["sum_received"]["bytes"].as_u64().unwrap_or_default();
    assert!(received > 0, "nothing reached {target}");
    assert!(served.success(), "iperf3 -s failed");
}
