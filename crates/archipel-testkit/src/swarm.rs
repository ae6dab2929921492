//! A Docker Swarm cluster on this machine, as a Swarm site is made of: each node a network
//! namespace with its own `dockerd` (own data root, exec root and socket), all on one bridge
//! (the site's underlay) in a namespace of the cluster's own, the first node the manager.
//!
//! `dockerd` is started with `nsenter --net=…`, not `ip netns exec`: the latter remounts /sys,
//! which hides the cgroup mounts from dockerd ("Devices cgroup isn't mounted").

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::{run, sh};

/// One node: its namespace, its engine's socket and process.
#[derive(Debug)]
pub struct Node {
    pub name: String,
    pub netns: String,
    pub socket: PathBuf,
    child: Child,
}

/// The cluster; dropping it removes every container, engine, namespace and file of it.
#[derive(Debug)]
pub struct Swarm {
    pub nodes: Vec<Node>,
    /// The namespace holding the bridge between the nodes.
    site: String,
    dir: PathBuf,
}

impl Node {
    /// `docker -H unix://SOCKET ARGS`: its output, whether it succeeded or not.
    pub fn docker(&self, args: &[&str]) -> std::process::Output {
        let host = format!("unix://{}", self.socket.display());
        run("docker", &[&["-H", &host][..], args].concat())
    }

    /// The same, stdout; panics with stderr when it fails.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        assert!(
            out.status.success(),
            "docker {args:?} on {}: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `--swarm-node NAME=unix://SOCKET` for popd.
    pub fn popd_arg(&self) -> String {
        format!("{}=unix://{}", self.name, self.socket.display())
    }
}

impl Swarm {
    /// `n` nodes joined in one Swarm, each holding `images` (from this machine's engine).
    pub fn up(n: usize, images: &[&str]) -> Self {
        let id = crate::unique("sw");
        let dir = Path::new("/var/tmp").join(format!("archipel-{id}"));
        let mut swarm = Swarm { nodes: Vec::new(), site: format!("{id}s"), dir };
        let site = swarm.site.clone();
        sh(&format!(
            "ip netns add {site} && ip -n {site} link add br0 type bridge && \
             ip -n {site} addr add 10.77.0.254/24 dev br0 && \
             ip -n {site} link set br0 up && ip -n {site} link set lo up"
        ));
        for i in 1..=n {
            swarm.nodes.push(swarm.node(i));
        }
        for node in &swarm.nodes {
            wait_for(&format!("the engine of {}", node.name), || {
                node.docker(&["info"]).status.success()
            });
        }
        let manager = &swarm.nodes[0];
        manager.docker_ok(&["swarm", "init", "--advertise-addr", "10.77.0.1"]);
        let token = manager.docker_ok(&["swarm", "join-token", "-q", "worker"]);
        for (i, node) in swarm.nodes.iter().enumerate().skip(1) {
            let addr = format!("10.77.0.{}", i + 1);
            let join = ["swarm", "join", "--advertise-addr", &addr, "--token", token.trim()];
            node.docker_ok(&[&join[..], &["10.77.0.1:2377"]].concat());
        }
        wait_for("every node Ready", || {
            let ls = manager.docker_ok(&["node", "ls", "--format", "{{.Status}}"]);
            ls.lines().filter(|s| *s == "Ready").count() == n
        });
        for image in images {
            for node in &swarm.nodes {
                let line = format!(
                    "docker save {image} | docker -H unix://{} load -q",
                    node.socket.display()
                );
                sh(&line);
            }
        }
        swarm
    }

    /// Node `i` (from 1) at 10.77.0.i on the cluster's bridge (its default route: the bridge's
    /// 10.77.0.254, as a host has one), its engine started.
    fn node(&self, i: usize) -> Node {
        let (site, name) = (&self.site, format!("n{i}"));
        let netns = format!("{}n{i}", self.site);
        sh(&format!(
            "ip netns add {netns} && ip -n {site} link add v{i} type veth peer name eth0 netns {netns} && \
             ip -n {site} link set v{i} master br0 up && \
             ip -n {netns} addr add 10.77.0.{i}/24 dev eth0 && ip -n {netns} link set eth0 up && \
             ip -n {netns} link set lo up && ip -n {netns} route add default via 10.77.0.254"
        ));
        let dir = self.dir.join(&name);
        std::fs::create_dir_all(&dir).expect("a node's directory");
        let socket = dir.join("docker.sock");
        let log = std::fs::File::create(dir.join("dockerd.log")).expect("a node's log");
        let child = Command::new("nsenter")
            .arg(format!("--net=/run/netns/{netns}"))
            .arg("dockerd")
            .arg("--data-root")
            .arg(dir.join("data"))
            .arg("--exec-root")
            .arg(dir.join("exec"))
            .arg("--pidfile")
            .arg(dir.join("dockerd.pid"))
            .arg("-H")
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start dockerd (apt-get install docker.io)");
        Node { name, netns, socket, child }
    }

    /// The `--swarm-node` arguments of popd for every node, the manager first, and the
    /// cluster's own namespace as the site's (`--netns`), where its networks get their bridges.
    pub fn popd_args(&self) -> Vec<String> {
        let nodes = self.nodes.iter().flat_map(|n| ["--swarm-node".to_owned(), n.popd_arg()]);
        nodes.chain(["--netns".to_owned(), self.site.clone()]).collect()
    }

    /// The namespace of the site: the bridge between the nodes, and the site's bridges.
    pub fn site_netns(&self) -> &str {
        &self.site
    }

    /// The containers of every node, as `NODE NAME` lines.
    pub fn containers(&self) -> Vec<(String, String)> {
        let mut all = Vec::new();
        for node in &self.nodes {
            let names = node.docker_ok(&["ps", "-a", "--format", "{{.Names}}"]);
            all.extend(names.lines().map(|c| (node.name.clone(), c.to_owned())));
        }
        all
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within a minute");
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl Drop for Swarm {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let ids = node.docker(&["ps", "-aq"]);
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = node.docker(&["rm", "-f", id]);
            }
            let _ = run("kill", &["-TERM", &node.child.id().to_string()]);
        }
        for node in &mut self.nodes {
            let deadline = Instant::now() + Duration::from_secs(20);
            while matches!(node.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = node.child.kill();
            let _ = node.child.wait();
            let _ = run("ip", &["netns", "del", &node.netns]);
        }
        let _ = run("ip", &["netns", "del", &self.site]);
        // What the engines left mounted under their roots (namespaces, layers).
        archipel_lab::unmount_under(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
