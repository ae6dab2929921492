//! What a lab is made of, decided before anything is made: names, addresses, secrets.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use ipnet::Ipv4Net;

use crate::context::{LabContext, SiteContext, PKI_DIR};
use crate::error::LabError;

/// The underlay when none is given: in the benchmark range, which never leaves the machine.
pub const DEFAULT_UNDERLAY: &str = "198.18.0.0/24";
/// Link names stop at 15 bytes; the host's link is the lab's name and one letter.
const MAX_NAME: usize = 12;
/// Sites are named a, b, c…
const MAX_SITES: usize = 26;
/// Where every agent listens, on its site's underlay address.
pub(crate) const AGENT_PORT: u16 = 7000;

/// What `lab up` is asked for.
#[derive(Debug, Clone)]
pub struct LabPlan {
    /// Prefixes every namespace and host link of the lab.
    pub name: String,
    pub sites: usize,
    /// A /24 or larger: the sites take its first addresses, the host its last.
    pub underlay: Ipv4Net,
    pub dir: PathBuf,
    /// The native image catalogue; `DIR/images` when None.
    pub images_dir: Option<PathBuf>,
    /// One site whose popd runs on the host's Docker Engine instead of the native runtime.
    pub docker: Option<DockerSite>,
    /// When not 0, site a is a Docker Swarm cluster of this many nodes (see [`crate::swarm`]).
    pub swarm_nodes: usize,
    /// TLS on every daemon, with a PKI made in the lab's directory; false: plain text.
    pub tls: bool,
    /// The agents' inter-site traffic in plain VXLAN (`agent --encryption none`) instead of
    /// WireGuard.
    pub plain_vxlan: bool,
}

/// A site on Docker. Docker's bridges live in the host's namespace, so that site's popd and
/// agent run in the host, and its underlay (VTEP) address is the host's own on the underlay:
/// one lab holds at most one such site, its tunnels are in the host's namespace (so one such lab
/// runs on a machine at a time), and it cannot be cut from the underlay alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerSite {
    pub site: String,
    /// The subnet of its popd's default network: Docker's networks share one address space on
    /// the host, so it must overlap no other network there.
    pub default_subnet: Ipv4Net,
}

impl LabPlan {
    /// The context of the lab planned, daemons not started yet.
    pub fn context(&self) -> Result<LabContext, LabError> {
        self.check()?;
        let hosts: Vec<Ipv4Addr> = self.underlay.hosts().collect();
        let host_ip = *hosts.last().ok_or_else(|| invalid("the underlay has no addresses"))?;
        let dir = std::path::absolute(&self.dir).map_err(LabError::io("resolve", &self.dir))?;
        let scheme = if self.tls { "https" } else { "http" };
        let sites = (b'a'..=b'z')
            .take(self.sites)
            .enumerate()
            .map(|(i, letter)| {
                let name = char::from(letter).to_string();
                let docker = self.docker.as_ref().filter(|d| d.site == name);
                let underlay_ip = if docker.is_some() { host_ip } else { hosts[i] };
                Ok(SiteContext {
                    netns: format!("{}-{name}", self.name),
                    hub_link: format!("to-{name}"),
                    underlay_ip,
                    docker_subnet: docker.map(|d| d.default_subnet),
                    swarm_nodes: if i == 0 {
                        crate::swarm::plan(&self.name, &name, &dir.join(&name), self.swarm_nodes)
                    } else {
                        Vec::new()
                    },
                    dir: dir.join(&name),
                    popd_url: String::new(),
                    popd_auth: format!("admin:{}", secret()?),
                    popd_pid: None,
                    agent_url: format!("{scheme}://{underlay_ip}:{AGENT_PORT}"),
                    agent_token: secret()?,
                    agent_pid: None,
                    name,
                })
            })
            .collect::<Result<Vec<_>, LabError>>()?;
        Ok(LabContext {
            name: self.name.clone(),
            images_dir: self.images_dir.clone().unwrap_or_else(|| dir.join("images")),
            underlay: self.underlay.trunc(),
            hub_netns: format!("{}-hub", self.name),
            host_link: format!("{}h", self.name),
            host_ip,
            pair_keys: pair_keys(&sites)?,
            ca: self.tls.then(|| dir.join(PKI_DIR).join(archipel_daemon::pki::CA_CERT)),
            plain_vxlan: self.plain_vxlan,
            dir,
            sites,
        })
    }

    fn check(&self) -> Result<(), LabError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= MAX_NAME
            && self.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !name_ok {
            return Err(invalid(&format!(
                "the name {:?} must be 1 to {MAX_NAME} lowercase letters or digits",
                self.name
            )));
        }
        if self.sites == 0 || self.sites > MAX_SITES {
            return Err(invalid(&format!("--sites must be 1 to {MAX_SITES}")));
        }
        if let Some(docker) = &self.docker {
            let known =
                (b'a'..=b'z').take(self.sites).any(|l| char::from(l).to_string() == docker.site);
            if !known {
                return Err(invalid(&format!(
                    "the Docker site {} is not a site of the lab",
                    docker.site
                )));
            }
        }
        if self.swarm_nodes > crate::swarm::MAX_NODES {
            return Err(invalid(&format!(
                "--swarm-nodes must be 0 to {}",
                crate::swarm::MAX_NODES
            )));
        }
        if self.swarm_nodes > 0 && self.docker.as_ref().is_some_and(|d| d.site == "a") {
            return Err(invalid("site a cannot be both the Docker site and the Swarm site"));
        }
        if self.underlay.prefix_len() > 24 {
            return Err(invalid(&format!(
                "the underlay {} must be a /24 or larger",
                self.underlay
            )));
        }
        Ok(())
    }
}

fn invalid(what: &str) -> LabError {
    LabError::Invalid(what.to_owned())
}

/// 32 hex digits from the kernel's random source.
/// One East-West key per pair of sites, named by [`LabContext::pair`].
fn pair_keys(sites: &[SiteContext]) -> Result<BTreeMap<String, String>, LabError> {
    let mut keys = BTreeMap::new();
    for (i, a) in sites.iter().enumerate() {
        for b in &sites[i + 1..] {
            keys.insert(LabContext::pair(&a.name, &b.name), secret()?);
        }
    }
    Ok(keys)
}

fn secret() -> Result<String, LabError> {
    let path = std::path::Path::new("/dev/urandom");
    let mut bytes = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(LabError::io("read", path))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str, sites: usize, underlay: &str) -> LabPlan {
        LabPlan {
            name: name.into(),
            sites,
            underlay: underlay.parse().unwrap(),
            dir: "/tmp/lab".into(),
            images_dir: None,
            docker: None,
            swarm_nodes: 0,
            tls: false,
            plain_vxlan: false,
        }
    }

    #[test]
    fn a_docker_site_is_the_host_on_the_underlay() {
        let docker =
            DockerSite { site: "b".into(), default_subnet: "10.9.0.0/24".parse().unwrap() };
        let mut plan = plan("arch", 2, "198.18.4.0/24");
        plan.docker = Some(docker.clone());
        let ctx = plan.context().unwrap();
        assert_eq!(ctx.sites[0].docker_subnet, None);
        assert_eq!(ctx.sites[1].docker_subnet, Some(docker.default_subnet));
        assert_eq!(ctx.sites[1].underlay_ip, ctx.host_ip);
        assert_eq!(ctx.sites[1].agent_url, "http://198.18.4.254:7000");
        plan.docker = Some(DockerSite { site: "c".into(), ..docker });
        assert!(plan.context().is_err(), "c is not a site of a 2-site lab");
    }

    #[test]
    fn names_and_addresses_follow_the_lab() {
        let ctx = plan("arch", 3, "198.18.4.0/24").context().unwrap();
        assert_eq!(ctx.hub_netns, "arch-hub");
        assert_eq!(ctx.host_link, "archh");
        assert_eq!(ctx.host_ip, Ipv4Addr::new(198, 18, 4, 254));
        let names: Vec<_> = ctx.sites.iter().map(|s| s.netns.as_str()).collect();
        assert_eq!(names, ["arch-a", "arch-b", "arch-c"]);
        assert_eq!(ctx.sites[2].underlay_ip, Ipv4Addr::new(198, 18, 4, 3));
        assert_eq!(ctx.sites[1].agent_url, "http://198.18.4.2:7000");
        assert_eq!(ctx.sites[1].hub_link, "to-b");
        assert_eq!(ctx.images_dir, PathBuf::from("/tmp/lab/images"));
        assert_ne!(ctx.sites[0].agent_token, ctx.sites[1].agent_token);
        assert_eq!(ctx.pair_keys.len(), 3);
        let (ab, bc) = (ctx.pair_key("b", "a").unwrap(), ctx.pair_key("b", "c").unwrap());
        assert_eq!((ab.len(), ab), (32, ctx.pair_key("a", "b").unwrap()));
        assert_ne!(ab, bc);
    }

    #[test]
    fn refuses_bad_names_counts_and_underlays() {
        assert!(plan("Arch", 2, DEFAULT_UNDERLAY).context().is_err());
        assert!(plan("averyverylongname", 2, DEFAULT_UNDERLAY).context().is_err());
        assert!(plan("arch", 0, DEFAULT_UNDERLAY).context().is_err());
        assert!(plan("arch", 27, DEFAULT_UNDERLAY).context().is_err());
        assert!(plan("arch", 2, "198.18.0.0/25").context().is_err());
    }
}
