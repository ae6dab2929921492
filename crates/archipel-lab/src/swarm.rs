//! A lab site made of a Docker Swarm cluster (`lab up --swarm-nodes N`): N node namespaces,
//! each with its own `dockerd` (own data root, exec root and socket under the site's directory),
//! on a bridge of the site's namespace (the cluster's own network, behind the site's underlay),
//! joined in one Swarm whose manager is the first node. Every image of the host's Docker Engine
//! is loaded into every node, so that a container may be placed on any.
//!
//! `dockerd` is started with `nsenter --net=…`, not `ip netns exec`: the latter remounts /sys,
//! which hides the cgroup mounts from dockerd ("Devices cgroup isn't mounted").

use std::net::Ipv4Addr;
use std::os::unix::fs::OpenOptionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use archipel_netlink::{Netlink, RtNetlink};
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::context::SiteContext;
use crate::error::LabError;

/// The bridge between the nodes, in the site's namespace, which holds `NODES_GATEWAY`.
const NODES_BRIDGE: &str = "nodes";
/// The nodes' network: node i at .i, the site at .254 (their default route).
const NODES_NET: [u8; 3] = [192, 168, 254];
const NODES_GATEWAY: u8 = 254;
/// At most this many nodes a site.
pub const MAX_NODES: usize = 9;
/// How long an engine has to answer, and the cluster to have every node Ready.
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// How long an engine has to exit after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// One node of a Swarm site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwarmNodeContext {
    /// `n1`, `n2`…: the first is the manager.
    pub name: String,
    pub netns: String,
    pub address: Ipv4Addr,
    /// Its engine's data root, exec root, socket, pid file and log live here.
    pub dir: PathBuf,
}

impl SwarmNodeContext {
    pub fn socket(&self) -> PathBuf {
        self.dir.join("docker.sock")
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.join("dockerd.pid")
    }

    /// `--swarm-node NAME=unix://SOCKET` for popd.
    pub fn popd_arg(&self) -> String {
        format!("{}=unix://{}", self.name, self.socket().display())
    }

    /// `docker -H unix://SOCKET ARGS`.
    fn docker(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("docker");
        cmd.arg("-H").arg(format!("unix://{}", self.socket().display())).args(args);
        cmd
    }
}

/// The nodes planned for site `site` of lab `lab`: namespace `LAB-SITEnI`, files under
/// `DIR/swarm/nI`.
pub fn plan(lab: &str, site: &str, dir: &Path, nodes: usize) -> Vec<SwarmNodeContext> {
    (1..=nodes)
        .map(|i| {
            let [a, b, c] = NODES_NET;
            SwarmNodeContext {
                name: format!("n{i}"),
                netns: format!("{lab}-{site}n{i}"),
                address: Ipv4Addr::new(a, b, c, u8::try_from(i).unwrap_or(u8::MAX)),
                dir: dir.join("swarm").join(format!("n{i}")),
            }
        })
        .collect()
}

/// Makes the site's nodes, starts their engines, joins them in one Swarm and loads every image
/// of the host's engine into each.
pub(crate) async fn create(site: &SiteContext) -> Result<(), LabError> {
    let listed =
        output(Command::new("docker").args(["images", "--format", "{{.Repository}}:{{.Tag}}"]))?;
    let images: Vec<&str> = listed.lines().filter(|i| !i.contains("<none>")).collect();
    create_cluster(&site.netns, &site.swarm_nodes, &images).await
}

/// Makes `nodes` in namespace `site_netns` (their bridge, each node's namespace and link),
/// starts their engines, joins them in one Swarm (the first the manager) and loads `images`
/// of the host's engine into each.
pub async fn create_cluster(
    site_netns: &str,
    nodes: &[SwarmNodeContext],
    images: &[&str],
) -> Result<(), LabError> {
    let nl = RtNetlink::new();
    let ns = Some(site_netns);
    let [a, b, c] = NODES_NET;
    let gateway = Ipv4Addr::new(a, b, c, NODES_GATEWAY);
    net(nl.ensure_bridge(ns, NODES_BRIDGE, None).await, "add the Swarm nodes' bridge")?;
    net(nl.ensure_address(ns, NODES_BRIDGE, prefix24(gateway)?).await, "address it")?;
    net(nl.set_up(ns, NODES_BRIDGE).await, "set the Swarm nodes' bridge up")?;
    for node in nodes {
        let here = Some(node.netns.as_str());
        net(nl.ensure_netns(&node.netns).await, &format!("add the namespace {}", node.netns))?;
        let port = format!("to-{}", node.name);
        net(nl.ensure_veth(ns, &port, "eth0", here).await, &format!("link node {}", node.name))?;
        net(nl.set_master(ns, &port, Some(NODES_BRIDGE)).await, "attach a node")?;
        net(nl.set_up(ns, &port).await, "set a node's link up")?;
        net(nl.ensure_address(here, "eth0", prefix24(node.address)?).await, "address a node")?;
        net(nl.set_up(here, "eth0").await, "set a node's link up")?;
        net(nl.set_up(here, "lo").await, "set a node's loopback up")?;
        net(nl.ensure_default_route(here, gateway).await, "route a node")?;
        start_engine(node)?;
    }
    for node in nodes {
        wait(&format!("the engine of node {}", node.name), || {
            node.docker(&["info"]).output().is_ok_and(|o| o.status.success())
        })?;
    }
    join(nodes)?;
    load_images(nodes, images)
}

/// `nsenter --net=/run/netns/NS dockerd --data-root … --exec-root … -H unix://…`, detached.
fn start_engine(node: &SwarmNodeContext) -> Result<(), LabError> {
    std::fs::create_dir_all(&node.dir).map_err(LabError::io("create", &node.dir))?;
    let log_path = node.dir.join("dockerd.log");
    // Owner only, as every file of the lab.
    let log = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&log_path)
        .map_err(LabError::io("create", &log_path))?;
    Command::new("nsenter")
        .arg(format!("--net=/run/netns/{}", node.netns))
        .arg("dockerd")
        .arg("--data-root")
        .arg(node.dir.join("data"))
        .arg("--exec-root")
        .arg(node.dir.join("exec"))
        .arg("--pidfile")
        .arg(node.pid_file())
        .arg("-H")
        .arg(format!("unix://{}", node.socket().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
        .map(drop)
        .map_err(|source| LabError::Spawn {
            what: format!("the engine of node {} (apt-get install docker.io)", node.name),
            source,
        })
}

/// `docker swarm init` at the first node, `docker swarm join` at the others.
fn join(nodes: &[SwarmNodeContext]) -> Result<(), LabError> {
    let Some(manager) = nodes.first() else { return Ok(()) };
    let addr = manager.address.to_string();
    output(&mut manager.docker(&["swarm", "init", "--advertise-addr", &addr]))?;
    let token = output(&mut manager.docker(&["swarm", "join-token", "-q", "worker"]))?;
    for node in &nodes[1..] {
        let own = node.address.to_string();
        let join = ["swarm", "join", "--advertise-addr", &own, "--token", token.trim()];
        output(&mut node.docker(&[&join[..], &[&format!("{addr}:2377")]].concat()))?;
    }
    wait("every Swarm node Ready", || {
        let listed = manager.docker(&["node", "ls", "--format", "{{.Status}}"]).output();
        listed.is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout).lines().filter(|s| *s == "Ready").count()
                == nodes.len()
        })
    })
}

/// `docker save IMAGES | docker -H NODE load` at every node.
fn load_images(nodes: &[SwarmNodeContext], images: &[&str]) -> Result<(), LabError> {
    if images.is_empty() {
        return Ok(());
    }
    for node in nodes {
        let line = format!(
            "docker save {} | docker -H unix://{} load -q",
            images.join(" "),
            node.socket().display()
        );
        output(Command::new("sh").args(["-c", &line]))?;
    }
    Ok(())
}

/// Removes a Swarm site's nodes.
pub(crate) fn remove(site: &SiteContext) {
    remove_cluster(&site.swarm_nodes, &site.dir.join("swarm"));
}

/// Stops every node's engine (its containers with it), then removes the nodes' namespaces and
/// what the engines left mounted under `dir`, which holds their files. What is gone already is
/// skipped.
pub fn remove_cluster(nodes: &[SwarmNodeContext], dir: &Path) {
    for node in nodes {
        if let Ok(out) = node.docker(&["ps", "-aq"]).output() {
            for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = node.docker(&["rm", "-f", id]).output();
            }
        }
    }
    let pids: Vec<i32> = nodes
        .iter()
        .filter_map(|n| std::fs::read_to_string(n.pid_file()).ok()?.trim().parse().ok())
        .collect();
    let alive = |pid: i32| Path::new(&format!("/proc/{pid}")).exists();
    for &pid in &pids {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGTERM);
    }
    let deadline = Instant::now() + STOP_TIMEOUT;
    while pids.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    for &pid in pids.iter().filter(|&&p| alive(p)) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL);
    }
    for node in nodes {
        crate::process::kill_netns_processes(&node.netns);
        let _ = Command::new("ip").args(["netns", "del", &node.netns]).output();
    }
    unmount_under(dir);
}

/// Unmounts what Docker engines left under `dir` (namespaces, layers), deepest first.
pub fn unmount_under(dir: &Path) {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let dir = dir.to_string_lossy().into_owned();
    let mut under: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|m| m.starts_with(&dir))
        .collect();
    under.sort_by(|a, b| b.cmp(a));
    for mount in under {
        let _ = Command::new("umount").args(["-l", mount]).output();
    }
}

fn prefix24(addr: Ipv4Addr) -> Result<Ipv4Net, LabError> {
    Ipv4Net::new(addr, 24).map_err(|e| LabError::Invalid(e.to_string()))
}

fn net(result: archipel_netlink::Result<()>, op: &str) -> Result<(), LabError> {
    result.map_err(LabError::netlink(op.to_owned()))
}

/// Runs `cmd`; its stdout, or its stderr as the error.
fn output(cmd: &mut Command) -> Result<String, LabError> {
    let command = format!("{cmd:?}");
    let out = cmd.output().map_err(|source| LabError::Spawn { what: command.clone(), source })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(LabError::Command { command, stderr });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn wait(what: &str, mut done: impl FnMut() -> bool) -> Result<(), LabError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while !done() {
        if Instant::now() > deadline {
            return Err(LabError::NotReady {
                what: what.to_owned(),
                secs: READY_TIMEOUT.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_named_addressed_and_kept_under_the_site() {
        let nodes = plan("lab1", "a", Path::new("/run/lab/a"), 3);
        let names: Vec<&str> = nodes.iter().map(|n| n.netns.as_str()).collect();
        assert_eq!(names, ["lab1-an1", "lab1-an2", "lab1-an3"]);
        assert_eq!(nodes[2].address, Ipv4Addr::new(192, 168, 254, 3));
        assert_eq!(nodes[0].popd_arg(), "n1=unix:///run/lab/a/swarm/n1/docker.sock");
    }
}
