//! Issue 17: traffic between a native site and a Swarm site over one L2 extension. The Swarm
//! site's tunnel is attached to a bridge of the site's own, linked to every node's overlay
//! ("decentralized"): a container on the manager and one on a worker are each measured from
//! the native site, beside a native-to-native pair of the same extension, in the same run.
//! Then the centralized attachment (the tunnel reaching the manager alone): the worker's link
//! is taken away and, caches cold, each container is pinged again. Docker's overlay answers
//! ARP only for its own endpoints, so the worker is not reached (ARCHITECTURE.md, Swarm
//! runtime).

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::dataplane::{measure, median, Path};
use crate::lab::{ok, Lab, IMAGE};

/// A Swarm container's namespace bound under /run/netns, so that `ip netns exec` enters it;
/// unbound on drop.
struct Bound {
    name: String,
    file: PathBuf,
}

impl Drop for Bound {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.file).output();
        let _ = std::fs::remove_file(&self.file);
    }
}

/// Starts container `name` at Swarm site a on `net`; its address, its node and its namespace.
fn swarm_container(lab: &Lab, name: &str, net: &str) -> Result<(Ipv4Addr, String, Bound)> {
    let words = [format!("image={IMAGE}"), format!("name={name}"), format!("net={net}")];
    let c = lab.json("a", &["pop", "spawn", &words[0], &words[1], &words[2]])?;
    if c["status"] != "RUNNING" {
        bail!("container {name} of site a is not running: {c}");
    }
    let addr: Ipv4Addr = c["ips"][net][0].as_str().context("an address")?.parse()?;
    for node in &lab.site("a")?.swarm_nodes {
        let host = format!("unix://{}", node.socket().display());
        let key = ["-H", &host, "inspect", "-f", "{{.NetworkSettings.SandboxKey}}", name];
        let out = Command::new("docker").args(key).output()?;
        if !out.status.success() {
            continue;
        }
        let key = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let bound = format!("{}-{name}", lab.ctx.name);
        let file = PathBuf::from("/run/netns").join(&bound);
        std::fs::write(&file, "")?;
        let bound = Bound { name: bound, file };
        ok(Command::new("mount").args(["--bind", &key]).arg(&bound.file).output()?, "mount")?;
        return Ok((addr, node.name.clone(), bound));
    }
    bail!("no node of site a holds {name}")
}

/// The table's rows: a native container of site b against the Swarm site's containers on the
/// manager and on a worker, and against a native one of site c, `rounds` rounds interleaved.
pub fn run(bin: &str, rounds: usize) -> Result<()> {
    let lab = Lab::up_swarm(bin, 3, 3)?;
    // Docker cannot change an overlay's MTU later: the tunnel's (plain VXLAN) from the start.
    let subnet = lab.slash25(0);
    lab.json("a", &["pop", "network", "create", "net", "--subnet", &subnet, "--mtu", "1450"])?;
    let create = ["intersite", "create", "--type", "l2", "--name", "sw"];
    let members = ["--resource", "a:net", "--resource", "b:net", "--resource", "c:net"];
    lab.json("a", &[&create[..], &members[..]].concat())?;
    // The first lands on the manager (no container there yet), the second on a worker.
    let (m_addr, m_node, m_ns) = swarm_container(&lab, &format!("{}-m", lab.ctx.name), "net")?;
    let (w_addr, w_node, w_ns) = swarm_container(&lab, &format!("{}-w", lab.ctx.name), "net")?;
    let (_, b_ns) = lab.container("b", "cb", "net")?;
    let (c_addr, c_ns) = lab.container("c", "cc", "net")?;
    let paths = [
        ("native site b to native site c".to_owned(), c_ns, c_addr),
        (
            format!("native site b to the Swarm site's manager ({m_node})"),
            m_ns.name.clone(),
            m_addr,
        ),
        (format!("native site b to a Swarm worker ({w_node})"), w_ns.name.clone(), w_addr),
    ];
    let mut samples: Vec<Vec<Path>> = vec![Vec::new(); paths.len()];
    for _ in 0..rounds {
        for ((_, to, addr), got) in paths.iter().zip(&mut samples) {
            got.push(measure(&b_ns, to, *addr)?);
        }
    }
    println!("## Swarm site extended to native sites: throughput and latency (issue 17)\n");
    println!("iperf3 TCP and busybox ping from a container of native site b over one L2 extension");
    println!("(plain VXLAN) to a container of each kind, {rounds} rounds interleaved: medians.\n");
    println!("| path | throughput | latency | anchor |");
    println!("| --- | --- | --- | --- |");
    for ((name, ..), got) in paths.iter().zip(&samples) {
        println!("| {name} | {} | Multi-Swarm: Swarm sites, no figure |", median(got));
    }
    // Centralized: the worker's link to the site's bridge taken away, the manager's kept.
    unlink(&lab, &w_node)?;
    // Cold caches, as for a new peer: what was learned over the link would otherwise carry
    // unicast through Docker's own tunnel from the manager for a while.
    for ns in [b_ns.as_str(), m_ns.name.as_str(), w_ns.name.as_str()] {
        ok(Command::new("ip").args(["-n", ns, "neigh", "flush", "all"]).output()?, "flush")?;
    }
    for (what, addr, anchor) in [
        ("the manager", m_addr, ""),
        ("a worker", w_addr, "Docker's overlay answers ARP only for its own endpoints"),
    ] {
        let ping = ["netns", "exec", &b_ns, "busybox", "ping", "-c", "3", "-W", "1"];
        let out = Command::new("ip").args(ping).arg(addr.to_string()).output()?;
        let seen = if out.status.success() { "reached" } else { "not reached (3 pings lost)" };
        println!("| centralized attachment (tunnel reaches the manager only): {what} | {seen} | | {anchor} |");
    }
    println!();
    drop((m_ns, w_ns));
    Ok(())
}

/// Takes node `node`'s link to the site's bridge away, from the overlay's side: `nsenter
/// --net=OVERLAY ip link del ap-site` in the network's namespace under the node's exec root.
fn unlink(lab: &Lab, node: &str) -> Result<()> {
    let site = lab.site("a")?;
    let node = site.swarm_nodes.iter().find(|n| n.name == node).context("the worker")?;
    let host = format!("unix://{}", node.socket().display());
    let inspect = ["-H", &host, "network", "inspect", "-f", "{{.Id}}", "net"];
    let id = ok(Command::new("docker").args(inspect).output()?, "docker network inspect")?;
    let id = String::from_utf8_lossy(&id.stdout).trim().to_owned();
    let overlay = node.dir.join("exec/netns").join(format!("1-{}", id.get(..10).context("an id")?));
    let net = format!("--net={}", overlay.display());
    ok(Command::new("nsenter").args([&net, "ip", "link", "del", "ap-site"]).output()?, "unlink")?;
    Ok(())
}
