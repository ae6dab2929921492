//! What the demo needs before it makes anything: root, the programs its sites and images run,
//! Docker and its images when asked for, and no lab already at its directory.

use std::path::Path;
use std::process::Command;

use anyhow::bail;
use ipnet::Ipv4Net;

use super::DemoArgs;

/// The runtime of the sites' popds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Runtime {
    /// Processes in their own network namespaces, the host's programs as images: no Docker.
    #[default]
    Native,
    /// Site b on the host's Docker Engine, site a native.
    Docker,
}

/// The Docker images the demo's Docker site runs (examples/images/build-docker-test-images.sh).
const DOCKER_IMAGES: [&str; 2] = ["mcilloni/sipp-server:latest", "mcilloni/sipp-client:latest"];

/// Fails, saying what to do, when the demo cannot run here.
pub fn check(args: &DemoArgs) -> anyhow::Result<()> {
    if args.runtime == Runtime::Docker {
        check_docker()?;
    }
    if effective_uid() != Some(0) {
        bail!(
            "the demo needs root: it creates network namespaces, links and bridges (run it with \
             sudo, or as root)"
        );
    }
    if !on_path("ip") {
        bail!("`ip` is not installed: the lab needs it (Debian package iproute2)");
    }
    if !on_path("sipp") {
        bail!(
            "`sipp` is not installed: the demo's SIPp images run the host's sipp (Debian \
             package sip-tester: apt-get install sip-tester)"
        );
    }
    let context = archipel_lab::context_path(Some(&args.dir));
    if context.exists() {
        let dir = args.dir.display();
        bail!(
            "a lab already runs from {dir} ({} exists): take it down with `archipel lab --dir \
             {dir} down`, or give the demo another --dir",
            context.display()
        );
    }
    if let Some(link) = link_in(args.underlay) {
        bail!(
            "the underlay {} is already used on this host (by {link}; another lab?): give the \
             demo another --underlay, e.g. 198.18.100.0/24",
            args.underlay
        );
    }
    let store = super::made::nfvo_dir(&args.dir);
    if store.exists() {
        bail!(
            "{} holds the NFVO store of an earlier demo (kept with --keep): remove it first (rm \
             -r {}), after `archipel lab --dir {} down` if its lab still runs",
            store.display(),
            store.display(),
            args.dir.display()
        );
    }
    Ok(())
}

/// A Docker Engine answers and holds the demo's images.
fn check_docker() -> anyhow::Result<()> {
    let answers = Command::new("docker").arg("info").output().is_ok_and(|o| o.status.success());
    if !answers {
        bail!(
            "--runtime docker needs a running Docker Engine (Debian package docker.io; start \
             dockerd), or run the demo without --runtime"
        );
    }
    let missing: Vec<&str> = DOCKER_IMAGES
        .into_iter()
        .filter(|image| {
            let inspect = Command::new("docker").args(["image", "inspect", image]).output();
            !inspect.is_ok_and(|o| o.status.success())
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "the Docker Engine lacks {}: build them with `bash \
             examples/images/build-docker-test-images.sh`",
            missing.join(" and ")
        );
    }
    Ok(())
}

/// The host's link holding an address inside `underlay`, if one does (`ip -4 -o addr`).
fn link_in(underlay: Ipv4Net) -> Option<String> {
    let out = Command::new("ip").args(["-4", "-o", "addr", "show"]).output().ok()?;
    used_by(&String::from_utf8_lossy(&out.stdout), underlay)
}

/// In `ip -4 -o addr` lines (`2: eth0    inet 10.0.0.2/24 brd … scope global eth0`), the link
/// of the first address inside `underlay`.
fn used_by(listing: &str, underlay: Ipv4Net) -> Option<String> {
    listing.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "inet")?;
        let addr: Ipv4Net = words.get(at + 1)?.parse().ok()?;
        underlay.contains(&addr.addr()).then(|| words.get(1).unwrap_or(&"?").to_string())
    })
}

/// The effective user id, from /proc/self/status (`Uid: real effective saved fs`).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Whether an executable file `program` is in a directory of PATH.
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let Some(path) = std::env::var_os("PATH") else { return false };
    std::env::split_paths(&path).any(|dir| {
        let file = Path::new(&dir).join(program);
        std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_programs_on_path() {
        assert!(on_path("sh"));
        assert!(!on_path("archipel-no-such-program"));
    }

    #[test]
    fn finds_a_link_on_the_underlay() {
        let listing = "\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
5: archh    inet 198.18.0.254/24 scope global archh\\       valid_lft forever";
        let underlay = |cidr: &str| cidr.parse::<Ipv4Net>().unwrap();
        assert_eq!(used_by(listing, underlay("198.18.0.0/24")).as_deref(), Some("archh"));
        assert_eq!(used_by(listing, underlay("198.18.1.0/24")), None);
    }

    #[test]
    fn reads_the_effective_uid() {
        assert!(effective_uid().is_some());
    }
}
