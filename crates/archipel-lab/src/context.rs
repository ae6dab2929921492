//! The lab's context file: everything `lab up` made, so that `lab down`, `lab exec` and tests
//! find it again, also after a crash. It is written before anything is made and rewritten as
//! each daemon starts.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use archipel_daemon::tls::CertFiles;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::error::LabError;
use crate::swarm::SwarmNodeContext;

/// The directory of the lab when none is given.
pub const DEFAULT_DIR: &str = "/run/archipel/lab";
/// The context file's name inside the lab directory.
pub const CONTEXT_FILE: &str = "lab.json";
/// The lab's PKI inside its directory: the CA and a certificate per daemon.
pub const PKI_DIR: &str = "pki";
/// The environment variable naming a context file, for commands given no `--dir`.
pub const CONTEXT_ENV: &str = "ARCHIPEL_LAB";

/// One lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabContext {
    pub name: String,
    /// Where the context, the daemons' data and their logs live.
    pub dir: PathBuf,
    pub underlay: Ipv4Net,
    /// The namespace holding the underlay bridge.
    pub hub_netns: String,
    /// The host's end of its veth to the underlay bridge.
    pub host_link: String,
    /// The host's underlay address: the popds listen there.
    pub host_ip: Ipv4Addr,
    /// The native image catalogue shared by every popd.
    pub images_dir: PathBuf,
    /// The East-West keys of plain text, one per pair of sites (see [`LabContext::pair_key`]).
    pub pair_keys: BTreeMap<String, String>,
    /// The lab's certificate authority when its daemons serve TLS (`https://` URLs); the
    /// clients check them against it (`lab env` exports it as ARCHIPEL_CA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<PathBuf>,
    /// The agents run with `--encryption none` (a restarted one too).
    #[serde(default)]
    pub plain_vxlan: bool,
    pub sites: Vec<SiteContext>,
}

/// One site of a lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteContext {
    pub name: String,
    /// The site's namespace: its underlay address, bridges, tunnels; the agent runs in it.
    pub netns: String,
    /// The underlay bridge's port toward this site, in the hub namespace.
    pub hub_link: String,
    pub underlay_ip: Ipv4Addr,
    /// Set for the site on Docker: its popd's default subnet. Such a site has no namespace or
    /// underlay link of its own; its daemons run in the host (see [`crate::DockerSite`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_subnet: Option<Ipv4Net>,
    /// Set for a site made of a Docker Swarm cluster: its nodes, the manager first (see
    /// [`crate::swarm`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swarm_nodes: Vec<SwarmNodeContext>,
    /// The popd's data directory (its log is `popd.log` beside it).
    pub dir: PathBuf,
    /// Empty until the popd listens.
    pub popd_url: String,
    /// `USER:PASSWORD`, as POP_AUTH takes it.
    pub popd_auth: String,
    pub popd_pid: Option<u32>,
    pub agent_url: String,
    pub agent_token: String,
    pub agent_pid: Option<u32>,
}

impl LabContext {
    pub fn path(&self) -> PathBuf {
        self.dir.join(CONTEXT_FILE)
    }

    pub fn load(path: &Path) -> Result<Self, LabError> {
        let text = std::fs::read(path).map_err(LabError::io("read", path))?;
        serde_json::from_slice(&text)
            .map_err(|source| LabError::ContextSyntax { path: path.to_owned(), source })
    }

    /// Writes the file whole (written aside, then renamed), readable by its owner only.
    pub fn save(&self) -> Result<(), LabError> {
        let path = self.path();
        let json = serde_json::to_vec_pretty(self)
            .map_err(|source| LabError::ContextSyntax { path: path.clone(), source })?;
        let staged = self.dir.join(format!("{CONTEXT_FILE}.new"));
        // Owner only: the file holds the lab's passwords, tokens and key.
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&staged)
            .and_then(|mut f| f.write_all(&json))
            .map_err(LabError::io("write", &staged))?;
        std::fs::rename(&staged, &path).map_err(LabError::io("write", &path))
    }

    /// The name of the pair of sites `a` and `b`, either way round.
    pub fn pair(a: &str, b: &str) -> String {
        if a < b {
            format!("{a}+{b}")
        } else {
            format!("{b}+{a}")
        }
    }

    /// The East-West key sites `a` and `b` share.
    pub fn pair_key(&self, a: &str, b: &str) -> Option<&str> {
        self.pair_keys.get(&Self::pair(a, b)).map(String::as_str)
    }

    pub fn pki_dir(&self) -> PathBuf {
        self.dir.join(PKI_DIR)
    }

    /// The certificate and key of `daemon` (`popd-a`, `agent-a`, `nfvo`) when the lab serves
    /// TLS.
    pub fn cert_files(&self, daemon: &str) -> Option<CertFiles> {
        self.ca.as_ref()?;
        let dir = self.pki_dir();
        Some(CertFiles {
            cert: dir.join(format!("{daemon}.pem")),
            key: dir.join(format!("{daemon}.key")),
        })
    }

    pub fn site(&self, name: &str) -> Result<&SiteContext, LabError> {
        Ok(&self.sites[self.site_index(name)?])
    }

    pub fn site_index(&self, name: &str) -> Result<usize, LabError> {
        self.sites.iter().position(|s| s.name == name).ok_or_else(|| LabError::NoSuchSite {
            site: name.to_owned(),
            known: self.sites.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", "),
        })
    }
}

impl SiteContext {
    /// Whether its popd runs on Docker.
    pub fn on_docker(&self) -> bool {
        self.docker_subnet.is_some()
    }

    /// Where it runs, as `lab up` and `lab status` show it: its namespace, or the host for the
    /// site on Docker; a Swarm site says how many nodes it has.
    pub fn placement(&self) -> String {
        if self.on_docker() {
            "(host, docker)".to_owned()
        } else if self.on_swarm() {
            format!("{} (swarm of {} nodes)", self.netns, self.swarm_nodes.len())
        } else {
            self.netns.clone()
        }
    }

    /// Whether its popd runs on a Swarm cluster of its own.
    pub fn on_swarm(&self) -> bool {
        !self.swarm_nodes.is_empty()
    }

    pub fn popd_log(&self) -> PathBuf {
        self.dir.join("popd.log")
    }

    pub fn agent_log(&self) -> PathBuf {
        self.dir.join("agent.log")
    }

    pub fn popd_data(&self) -> PathBuf {
        self.dir.join("popd")
    }

    pub fn agent_data(&self) -> PathBuf {
        self.dir.join("agent")
    }
}

/// The context file: `DIR/lab.json` when a directory is given, else `$ARCHIPEL_LAB`, else
/// the default directory's.
pub fn context_path(dir: Option<&Path>) -> PathBuf {
    match (dir, std::env::var_os(CONTEXT_ENV)) {
        (Some(dir), _) => dir.join(CONTEXT_FILE),
        (None, Some(file)) => PathBuf::from(file),
        (None, None) => Path::new(DEFAULT_DIR).join(CONTEXT_FILE),
    }
}
