//! Issue 17: traffic between a native site and a Swarm site over one L2 extension. The Swarm
//! site's tunnel is attached to a bridge of the site's own, linked to every node's overlay
//! ("decentralized"): a container on the manager and one on a worker are each measured from
//! the native site, beside a native-to-native pair of the same extension, in the same run. The
//! centralized attachment (the tunnel at the manager alone) is not measured: Docker's overlay
//! answers ARP only for its own endpoints, so a worker's container never reaches another site
//! that way (ARCHITECTURE.md, Swarm runtime).

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
    lab.network("a", "net", &lab.slash25(0))?;
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
    println!(
        "| centralized attachment (the tunnel at the manager alone) | a worker is not reached | | Docker's overlay answers ARP only for its own endpoints |\n"
    );
    drop((m_ns, w_ns));
    Ok(())
}
