//! A lab of N sites brought up through the real `archipel lab` and taken down on drop, so that
//! a failed benchmark leaves no namespace, daemon or subnet lease behind.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Command, Output};

use anyhow::{bail, Context, Result};
use archipel_lab::{LabContext, SiteContext};
use archipel_testkit::TestSubnet;
use serde_json::Value;

pub const IMAGE: &str = "archipel-test/busybox:latest";
const IMAGES_SCRIPT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/images/build-native-images.sh");

pub struct Lab {
    pub ctx: LabContext,
    /// The sites' networks take its /25s; the underlay its last /24.
    pub subnet: TestSubnet,
    bin: String,
    dir: PathBuf,
    _root: tempfile::TempDir,
}

impl Lab {
    /// `archipel lab up --sites N` with the example native images installed, its inter-site
    /// traffic in plain VXLAN as the anchors were measured.
    pub fn up(bin: &str, sites: usize) -> Result<Self> {
        Self::up_with(bin, sites, false, 0)
    }

    /// [`Lab::up`] with site a a Docker Swarm cluster of `nodes` nodes (`--swarm-nodes`).
    pub fn up_swarm(bin: &str, sites: usize, nodes: usize) -> Result<Self> {
        Self::up_with(bin, sites, false, nodes)
    }

    /// [`Lab::up`] with the inter-site traffic in WireGuard (the lab's default); it may run
    /// beside a plain one.
    pub fn up_encrypted(bin: &str, sites: usize) -> Result<Self> {
        Self::up_with(bin, sites, true, 0)
    }

    fn up_with(bin: &str, sites: usize, encrypted: bool, nodes: usize) -> Result<Self> {
        let subnet = TestSubnet::lease();
        let root = tempfile::tempdir()?;
        let dir = root.path().join("lab");
        let images = dir.join("images");
        let images = images.to_str().context("a UTF-8 temporary directory")?;
        ok(Command::new("sh").args([IMAGES_SCRIPT, images]).output()?, "install the images")?;
        let suffix = match (encrypted, nodes) {
            (true, _) => "e",
            (false, 0) => "",
            (false, _) => "s",
        };
        let name = format!("bl{}{suffix}", std::process::id() % 1_000_000);
        let underlay = subnet.slash24(15);
        let sites = sites.to_string();
        // Plain text, as the anchors were measured; the TLS suite measures what TLS costs.
        let encryption = if encrypted { "wireguard" } else { "none" };
        let nodes = nodes.to_string();
        let args = [
            "up",
            "--sites",
            &sites,
            "--name",
            &name,
            "--underlay",
            &underlay,
            "--insecure",
            "--encryption",
            encryption,
            "--swarm-nodes",
            &nodes,
        ];
        let out = lab_cmd(bin, &dir, &args)?;
        // From here on, a failure still takes down whatever `lab up` left.
        let ctx = LabContext::load(&dir.join("lab.json"));
        let lab = ctx.map(|ctx| Self { ctx, subnet, bin: bin.into(), dir, _root: root });
        ok(out, "lab up")?;
        Ok(lab?)
    }

    pub fn site(&self, name: &str) -> Result<&SiteContext> {
        Ok(self.ctx.site(name)?)
    }

    /// The /25 number `i` (0..24) of the leased /20: a subnet of its own for each site.
    pub fn slash25(&self, i: u32) -> String {
        let base = self.subnet.slash24(i / 2);
        let base: Ipv4Addr = base.trim_end_matches("/24").parse().expect("a /24");
        format!("{}/25", Ipv4Addr::from(u32::from(base) + (i % 2) * 128))
    }

    /// `archipel ARGS -o json` pointed at `site`'s popd and agent, which must succeed.
    pub fn json(&self, site: &str, args: &[&str]) -> Result<Value> {
        let out = self.run(site, &[args, &["-o", "json"]].concat())?;
        Ok(serde_json::from_slice(&out.stdout)?)
    }

    /// `archipel ARGS` pointed at `site`'s popd and agent, which must succeed.
    pub fn run(&self, site: &str, args: &[&str]) -> Result<Output> {
        let s = self.site(site)?;
        let out = Command::new(&self.bin)
            .args(args)
            .env("POP_ENDPOINT", &s.popd_url)
            .env("POP_AUTH", &s.popd_auth)
            .env("ARCHIPEL_AGENT", &s.agent_url)
            .env("ARCHIPEL_AGENT_TOKEN", &s.agent_token)
            .env("RUST_LOG", "error")
            .output()?;
        ok(out, &format!("{args:?} at site {site}"))
    }

    pub fn network(&self, site: &str, name: &str, cidr: &str) -> Result<()> {
        self.json(site, &["pop", "network", "create", name, "--subnet", cidr]).map(drop)
    }

    /// An idle busybox container of `site` on `net`; returns its address and namespace.
    pub fn container(&self, site: &str, name: &str, net: &str) -> Result<(Ipv4Addr, String)> {
        let words = [format!("image={IMAGE}"), format!("name={name}"), format!("net={net}")];
        let c = self.json(site, &["pop", "spawn", &words[0], &words[1], &words[2]])?;
        if c["status"] != "RUNNING" {
            bail!("container {name} of site {site} is not running: {c}");
        }
        let addr: Ipv4Addr = c["ips"][net][0].as_str().context("an address")?.parse()?;
        Ok((addr, self.netns_of(site, addr)?))
    }

    /// The namespace of the site's container holding `addr`, among its popd's workloads.
    fn netns_of(&self, site: &str, addr: Ipv4Addr) -> Result<String> {
        let wanted = format!(" {addr}/");
        let dir = self.site(site)?.popd_data().join("native/workloads");
        for entry in std::fs::read_dir(&dir)? {
            let ns = entry?.file_name().into_string().unwrap_or_default();
            let out = Command::new("ip").args(["-n", &ns, "-4", "-o", "addr"]).output()?;
            if String::from_utf8_lossy(&out.stdout).contains(&wanted) {
                return Ok(ns);
            }
        }
        bail!("no container of site {site} holds {addr}")
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        match lab_cmd(&self.bin, &self.dir, &["down"]) {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!("lab down failed: {}", String::from_utf8_lossy(&out.stderr)),
            Err(err) => eprintln!("lab down failed: {err}"),
        }
    }
}

fn lab_cmd(bin: &str, dir: &std::path::Path, args: &[&str]) -> Result<Output> {
    let mut cmd = Command::new(bin);
    cmd.arg("lab").arg("--dir").arg(dir).args(args).env("RUST_LOG", "error");
    Ok(cmd.output()?)
}

/// The output of a command that must have succeeded.
pub fn ok(out: Output, what: &str) -> Result<Output> {
    if !out.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(out)
}
