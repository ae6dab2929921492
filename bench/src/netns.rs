//! The baselines of the data plane, built by hand with `ip` and removed on drop: a plain veth
//! pair between two namespaces, and two "sites" joined by a veth underlay, each with a bridge,
//! a VXLAN with one flood entry toward the other (MTU 1450) and a container namespace on the
//! bridge.

use std::process::Command;

use anyhow::Result;

use crate::lab::ok;

/// Namespaces made by this process, deleted (with every link inside) on drop.
pub struct Namespaces {
    prefix: String,
    made: Vec<String>,
}

impl Namespaces {
    pub fn new(tag: &str) -> Self {
        Self { prefix: format!("bdp{}-{tag}", std::process::id()), made: Vec::new() }
    }

    /// `ip netns add PREFIX-NAME` with its loopback up; returns the full name.
    pub fn add(&mut self, name: &str) -> Result<String> {
        let ns = format!("{}-{name}", self.prefix);
        ip(&["netns", "add", &ns])?;
        self.made.push(ns.clone());
        ip(&["-n", &ns, "link", "set", "lo", "up"])?;
        Ok(ns)
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in self.made.drain(..).rev() {
            if let Err(err) = ip(&["netns", "del", &ns]) {
                eprintln!("{err}");
            }
        }
    }
}

/// `ip link add A netns NS_A type veth peer name B netns NS_B`, both ends up at `mtu`.
fn veth(a: (&str, &str), b: (&str, &str), mtu: u32) -> Result<()> {
    ip(&["link", "add", a.1, "netns", a.0, "type", "veth", "peer", "name", b.1, "netns", b.0])?;
    let mtu = mtu.to_string();
    for (ns, dev) in [a, b] {
        ip(&["-n", ns, "link", "set", dev, "mtu", &mtu, "up"])?;
    }
    Ok(())
}

/// `ip -n NS addr add CIDR dev DEV`.
fn addr(ns: &str, dev: &str, cidr: &str) -> Result<()> {
    ip(&["-n", ns, "addr", "add", cidr, "dev", dev])
}

/// Two namespaces joined by a veth pair, `a`/`b` (`x.x.x.N/24`) on its ends; returns both
/// namespaces.
pub fn veth_pair(nss: &mut Namespaces, a: &str, b: &str) -> Result<(String, String)> {
    let (na, nb) = (nss.add("va")?, nss.add("vb")?);
    veth((&na, "eth0"), (&nb, "eth0"), 1500)?;
    addr(&na, "eth0", a)?;
    addr(&nb, "eth0", b)?;
    Ok((na, nb))
}

/// Two sites joined by a veth underlay (`ua`/`ub`, host addresses), each with a bridge and
/// `ip link add vx0 type vxlan id 42 local U dstport 4789 dev u0` at MTU 1450 and
/// `bridge fdb append 00:00:00:00:00:00 dev vx0 dst OTHER`, and a container namespace whose
/// eth0 (MTU 1450) holds `a`/`b`; returns the two container namespaces.
pub fn vxlan_pair(
    nss: &mut Namespaces,
    (ua, ub): (&str, &str),
    a: &str,
    b: &str,
) -> Result<(String, String)> {
    let (sa, sb) = (nss.add("sa")?, nss.add("sb")?);
    veth((&sa, "u0"), (&sb, "u0"), 1500)?;
    let mut containers = Vec::new();
    for (site, local, remote, cidr, tag) in [(&sa, ua, ub, a, "ca"), (&sb, ub, ua, b, "cb")] {
        addr(site, "u0", &format!("{local}/30"))?;
        ip(&["-n", site, "link", "add", "br0", "type", "bridge"])?;
        ip(&["-n", site, "link", "set", "br0", "up"])?;
        let vx = ["link", "add", "vx0", "type", "vxlan", "id", "42", "local", local];
        ip(&[&["-n", site][..], &vx, &["dstport", "4789", "dev", "u0"]].concat())?;
        ip(&["-n", site, "link", "set", "vx0", "mtu", "1450", "master", "br0", "up"])?;
        let fdb = ["fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", remote];
        ok(Command::new("bridge").args(["-n", site]).args(fdb).output()?, "bridge fdb")?;
        let c = nss.add(tag)?;
        veth((&c, "eth0"), (site, "p0"), 1450)?;
        ip(&["-n", site, "link", "set", "p0", "master", "br0"])?;
        addr(&c, "eth0", cidr)?;
        containers.push(c);
    }
    let cb = containers.pop().unwrap_or_default();
    Ok((containers.pop().unwrap_or_default(), cb))
}

fn ip(args: &[&str]) -> Result<()> {
    ok(Command::new("ip").args(args).output()?, &format!("ip {}", args.join(" "))).map(drop)
}
