//! popd's settings, and the TOML file that `archipel popd init` writes: a `[server]` table of
//! settings and `[[users]]` with argon2id PHC strings (never a clear password).

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use archipel_daemon::tls::CertFiles;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::auth::User;
use crate::model::{check_flavours, FlavourSpec};

/// Which runtime runs the workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeKind {
    Docker,
    Native,
    /// A Docker Swarm cluster: its nodes are given on the command line (`--swarm-node`).
    Swarm,
}

/// How failed logins are slowed down (per user and peer): the daemon kit's throttle.
pub use archipel_daemon::auth::ThrottleConfig as LoginThrottle;

/// Everything a popd needs to run.
#[derive(Debug, Clone)]
pub struct PopdConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The instance name: Info's name, and the label the runtime puts on this popd's workloads,
    /// so that two popds on one Docker engine never touch each other's.
    pub name: String,
    pub runtime: RuntimeKind,
    pub users: Vec<User>,
    pub session_ttl: Duration,
    pub default_network: String,
    pub default_subnet: Ipv4Net,
    /// The largest request accepted; larger ones are answered RESOURCE_EXHAUSTED.
    pub max_message_bytes: usize,
    pub login_throttle: LoginThrottle,
    /// Stop's timeout when the call carries no deadline.
    pub stop_timeout: Duration,
    /// How often the runtime is polled for ended workloads (a fallback to its events).
    pub poll_interval: Duration,
    /// How long in-flight calls may run on after shutdown is asked.
    pub drain_timeout: Duration,
    /// Asked for more addresses when a network runs out; none: the Create fails.
    pub pool_provider: Option<PoolProviderConfig>,
    /// The certificate and key popd serves TLS with; none: plain text.
    pub tls: Option<CertFiles>,
    /// Native runtime: a workload's log is rotated (one rotated file kept) past this size.
    pub log_max_bytes: u64,
    /// Where `/metrics` is served over plain HTTP; none: nowhere.
    pub metrics_listen: Option<SocketAddr>,
    /// The flavours besides the built-in `docker.container` (no limit).
    pub flavours: Vec<FlavourSpec>,
}

/// The site's agent as popd's pool provider: its URL and North bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct PoolProviderConfig {
    pub url: String,
    pub token: String,
    /// The certificate authorities an `https://` URL's certificate must chain to.
    pub ca: Option<PathBuf>,
}

impl std::fmt::Debug for PoolProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolProviderConfig").field("url", &self.url).finish_non_exhaustive()
    }
}

impl Default for PopdConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 60000)),
            data_dir: PathBuf::from("/var/lib/archipel/popd"),
            name: "popd".into(),
            runtime: RuntimeKind::Native,
            users: Vec::new(),
            session_ttl: Duration::from_secs(24 * 3600),
            default_network: "private".into(),
            default_subnet: Ipv4Net::new(std::net::Ipv4Addr::new(172, 16, 0, 0), 16)
                .expect("a /16 is a valid prefix"),
            max_message_bytes: 1024 * 1024,
            login_throttle: LoginThrottle::default(),
            stop_timeout: Duration::from_secs(5),
            poll_interval: Duration::from_secs(2),
            drain_timeout: Duration::from_secs(10),
            pool_provider: None,
            tls: None,
            log_max_bytes: crate::runtime::native::DEFAULT_LOG_MAX_BYTES,
            metrics_listen: None,
            flavours: Vec::new(),
        }
    }
}

/// What cannot be done with a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a valid popd configuration")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} defines a flavour that cannot be")]
    Flavour {
        path: PathBuf,
        #[source]
        source: crate::model::FlavourError,
    },
    #[error("cannot encode the configuration as TOML")]
    Encode(#[source] toml::ser::Error),
}

/// The `[server]` table: every setting is optional; command-line flags override them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub name: Option<String>,
    pub runtime: Option<RuntimeKind>,
    pub default_network: Option<String>,
    pub default_subnet: Option<Ipv4Net>,
    pub session_ttl_secs: Option<u64>,
    pub max_message_bytes: Option<usize>,
    pub log_max_bytes: Option<u64>,
}

/// The configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub server: ServerSettings,
    #[serde(default)]
    pub users: Vec<User>,
    /// `[[flavours]]`: `name`, and any of `memory_bytes`, `cpu_millis`, `pids`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flavours: Vec<FlavourSpec>,
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let file: Self = toml::from_str(&text)
            .map_err(|source| ConfigError::Parse { path: path.to_owned(), source })?;
        check_flavours(&file.flavours)
            .map_err(|source| ConfigError::Flavour { path: path.to_owned(), source })?;
        Ok(file)
    }

    /// Writes the file readable by its owner only: it holds password hashes.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        use std::os::unix::fs::OpenOptionsExt;
        let text = toml::to_string(self).map_err(ConfigError::Encode)?;
        let write_err = |source| ConfigError::Write { path: path.to_owned(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(write_err)?;
        file.write_all(text.as_bytes()).map_err(write_err)
    }

    /// Adds the user, replacing one of the same name.
    pub fn upsert_user(&mut self, user: User) {
        self.users.retain(|u| u.name != user.name);
        self.users.push(user);
    }

    /// Sets in `config` what the file sets, users included.
    pub fn apply(&self, config: &mut PopdConfig) {
        let s = &self.server;
        config.flavours.clone_from(&self.flavours);
        if let Some(v) = s.listen {
            config.listen = v;
        }
        if let Some(v) = &s.data_dir {
            config.data_dir = v.clone();
        }
        if let Some(v) = &s.name {
            config.name = v.clone();
        }
        if let Some(v) = s.runtime {
            config.runtime = v;
        }
        if let Some(v) = &s.default_network {
            config.default_network = v.clone();
        }
        if let Some(v) = s.default_subnet {
            config.default_subnet = v;
        }
        if let Some(v) = s.session_ttl_secs {
            config.session_ttl = Duration::from_secs(v);
        }
        if let Some(v) = s.max_message_bytes {
            config.max_message_bytes = v;
        }
        if let Some(v) = s.log_max_bytes {
            config.log_max_bytes = v;
        }
        config.users.extend(self.users.iter().cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_round_trips_and_applies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/popd.toml");
        let mut file = ConfigFile::default();
        file.server.name = Some("site-a".into());
        file.server.default_subnet = Some("10.1.0.0/16".parse().unwrap());
        file.upsert_user(User { name: "admin".into(), password_hash: "$argon2id$x".into() });
        file.upsert_user(User { name: "admin".into(), password_hash: "$argon2id$y".into() });
        file.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[[users]]") && text.contains("password_hash"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let loaded = ConfigFile::load(&path).unwrap();
        assert_eq!(loaded, file);
        assert_eq!(loaded.users.len(), 1);
        let mut config = PopdConfig::default();
        loaded.apply(&mut config);
        assert_eq!(config.name, "site-a");
        assert_eq!(config.default_subnet.to_string(), "10.1.0.0/16");
        assert_eq!(config.default_network, "private");
        assert_eq!(config.users[0].password_hash, "$argon2id$y");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("popd.toml");
        std::fs::write(&path, "[server]\nlisten_addr = \"x\"\n").unwrap();
        assert!(matches!(ConfigFile::load(&path), Err(ConfigError::Parse { .. })));
    }
}
