//! Container-to-container TCP throughput (iperf3, 5 s) and latency (ping, 20 echoes) across an
//! L2 extension Archipel builds between two lab sites, beside, in the same run, the best kernel
//! overlay between two namespaces (a hand-built VXLAN), no overlay at all (a veth pair), and
//! the same L2 extension in WireGuard (a lab of its own, encrypted).

use std::net::Ipv4Addr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use archipel_testkit::require_root;
use serde_json::Value;

use crate::lab::{ok, Lab};
use crate::netns::{veth_pair, vxlan_pair, Namespaces};

const SECONDS: &str = "5";

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    let rounds = crate::diminet::env_usize("ARCHIPEL_BENCH_DP_ROUNDS", 3)?;
    let started = Instant::now();
    let lab = Lab::up(bin, 2)?;
    lab.network("a", "net", &lab.slash25(0))?;
    let create = ["intersite", "create", "--type", "l2", "--name", "dp"];
    lab.json("a", &[&create[..], &["--resource", "a:net", "--resource", "b:net"]].concat())?;
    let (_, a_ns) = lab.container("a", "ca", "net")?;
    let (b_addr, b_ns) = lab.container("b", "cb", "net")?;
    let wg = Lab::up_encrypted(bin, 2)?;
    wg.network("a", "net", &wg.slash25(0))?;
    wg.json("a", &[&create[..], &["--resource", "a:net", "--resource", "b:net"]].concat())?;
    let (_, wa_ns) = wg.container("a", "ca", "net")?;
    let (wb_addr, wb_ns) = wg.container("b", "cb", "net")?;

    // Addresses inside our own namespaces only, from the lab's leased /20.
    let base = lab.slash25(2);
    let p = base.trim_end_matches("0/25");
    let mut nss = Namespaces::new("dp");
    let (va, vb) = veth_pair(&mut nss, &format!("{p}1/27"), &format!("{p}2/27"))?;
    let (ua, ub) = (format!("{p}33"), format!("{p}34"));
    let (xa, xb) = vxlan_pair(&mut nss, (&ua, &ub), &format!("{p}65/27"), &format!("{p}66/27"))?;
    let paths = [
        ("plain veth pair (no overlay)", va, vb, format!("{p}2").parse()?),
        ("hand-built VXLAN", xa, xb, format!("{p}66").parse()?),
        ("Archipel L2 extension", a_ns, b_ns, b_addr),
        ("Archipel L2 extension in WireGuard (boringtun)", wa_ns, wb_ns, wb_addr),
    ];
    // Rounds interleave the paths, so that a busy moment of the machine falls on all three.
    let mut samples = vec![Vec::new(); paths.len()];
    for _ in 0..rounds {
        for ((_, from, to, addr), got) in paths.iter().zip(&mut samples) {
            got.push(measure(from, to, *addr)?);
        }
    }
    let mtus: Vec<u32> =
        paths.iter().map(|(_, from, _, addr)| mtu(from, *addr)).collect::<Result<_>>()?;
    drop(nss);
    drop(lab);
    drop(wg);

    let [veth, vxlan, archipel, encrypted] = [0, 1, 2, 3].map(|i| median(&samples[i]));
    println!("## Data plane: container to container across two sites\n");
    println!(
        "iperf3 TCP {SECONDS} s and busybox ping -c 20 -i 0.2 (avg), the four paths in the same"
    );
    println!("run, interleaved over {rounds} rounds: medians of the rounds.\n");
    println!("| path | MTU | throughput | latency | anchor |");
    println!("| --- | --- | --- | --- | --- |");
    let anchors = [
        "",
        "",
        "Multi-Swarm: two extra hops −20 Mbit/s, +0.1 ms (1 Gbit/s WAN)",
        "FIGURES.md: usable MTU 1418 with IPsec ESP, 1450 plain",
    ];
    for (i, (name, ..)) in paths.iter().enumerate() {
        println!("| {name} | {} | {} | {} |", mtus[i], median(&samples[i]), anchors[i]);
    }
    println!(
        "| Archipel against hand-built VXLAN | | {:.0} % | {:+.3} ms | Multi-Swarm: 98 % (−20 of 1000 Mbit/s) |",
        100.0 * archipel.mbits / vxlan.mbits,
        archipel.ms - vxlan.ms
    );
    println!(
        "| Archipel against veth | | {:.0} % | {:+.3} ms | NERV IP archetype: 43 % of line rate |",
        100.0 * archipel.mbits / veth.mbits,
        archipel.ms - veth.ms
    );
    println!(
        "| WireGuard against the clear L2 extension | | {:.0} % | {:+.3} ms | goal: at least 25 % |",
        100.0 * encrypted.mbits / archipel.mbits,
        encrypted.ms - archipel.ms
    );
    println!(
        "\nSuite wall time: {:.0} s (lab set-up included).\n",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Path {
    mbits: f64,
    ms: f64,
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.0} Mbit/s | {:.3} ms", self.mbits, self.ms)
    }
}

/// The median throughput and the median latency of the rounds.
pub(crate) fn median(rounds: &[Path]) -> Path {
    let mid = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    Path {
        mbits: mid(rounds.iter().map(|p| p.mbits).collect()),
        ms: mid(rounds.iter().map(|p| p.ms).collect()),
    }
}

/// The MTU of the link through which the namespace `ns` reaches `addr`.
fn mtu(ns: &str, addr: Ipv4Addr) -> Result<u32> {
    let route = ok(
        Command::new("ip").args(["-n", ns, "-o", "route", "get", &addr.to_string()]).output()?,
        "ip route get",
    )?;
    let route = String::from_utf8_lossy(&route.stdout).into_owned();
    let dev = route.split_whitespace().skip_while(|w| *w != "dev").nth(1).context("no dev")?;
    let link =
        ok(Command::new("ip").args(["-n", ns, "-o", "link", "show", dev]).output()?, "ip link")?;
    let link = String::from_utf8_lossy(&link.stdout).into_owned();
    let mtu = link.split_whitespace().skip_while(|w| *w != "mtu").nth(1).context("no mtu")?;
    Ok(mtu.parse()?)
}

/// Throughput then latency from the namespace `from` to `addr`, served in the namespace `to`.
pub(crate) fn measure(from: &str, to: &str, addr: Ipv4Addr) -> Result<Path> {
    let addr = addr.to_string();
    // The first exchange pays for ARP (and the VXLAN's learning): not part of the figure.
    let warm = ["netns", "exec", from, "busybox", "ping", "-c", "3", "-W", "1", &addr];
    ok(Command::new("ip").args(warm).output()?, &format!("ping {addr} from {from}"))?;
    let mbits = throughput(from, to, &addr)?;
    let ping = ["netns", "exec", from, "busybox", "ping", "-c", "20", "-i", "0.2", &addr];
    let out = ok(Command::new("ip").args(ping).output()?, "ping")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let ms = text
        .lines()
        .find_map(|l| l.strip_prefix("round-trip min/avg/max = "))
        .and_then(|v| v.split('/').nth(1)?.parse().ok())
        .with_context(|| format!("no average in the ping output: {text}"))?;
    Ok(Path { mbits, ms })
}

/// `iperf3 -c ADDR -t 5 -J` from `from` against a one-off `iperf3 -s -1` in `to`; Mbit/s
/// received.
fn throughput(from: &str, to: &str, addr: &str) -> Result<f64> {
    let server = Command::new("ip")
        .args(["netns", "exec", to, "iperf3", "-s", "-1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let _server = Reaped(server);
    let client = ["netns", "exec", from, "iperf3", "-c", addr, "-t", SECONDS, "-J"];
    // The server may not listen yet: a refused connection fails the client at once.
    for _ in 0..40 {
        let out = Command::new("ip").args(client).output()?;
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        // iperf3 -J may exit 0 with an "error" in its report (a refused connection): retried
        // like a failed exit.
        if out.status.success() && report.get("error").is_none() && report.is_object() {
            let bps = report["end"]["sum_received"]["bits_per_second"]
                .as_f64()
                .with_context(|| format!("no bits_per_second in {report}"))?;
            return Ok(bps / 1e6);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    bail!("iperf3 never connected from {from} to {addr}")
}

/// A child process killed and reaped on drop.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
