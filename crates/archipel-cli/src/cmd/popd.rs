//! `archipel popd`: the Pop server (VIM) of one site, and `archipel popd init`, which writes
//! its configuration file. Settings come from the defaults, then the file (`--config`), then
//! the flags; users from the file and from `POPD_AUTH=user:password`.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use archipel_daemon::{ready, shutdown_signal};
use archipel_netlink::RtNetlink;
use archipel_pop::auth::User;
use archipel_pop::model::{check_flavours, FlavourSpec};
use archipel_pop::runtime::docker::{DockerRuntime, SwarmNode, SwarmRuntime};
use archipel_pop::runtime::native::{NativeConfig, NativeRuntime};
use archipel_pop::runtime::Runtime;
use archipel_pop::{ConfigFile, PoolProviderConfig, PopdConfig, RuntimeKind};

use crate::cmd::tls::{CaArgs, ServeTlsArgs};

const AUTH_ENV: &str = "POPD_AUTH";

#[derive(clap::Args, Debug)]
pub struct PopdArgs {
    #[command(subcommand)]
    pub command: Option<PopdCommand>,
    /// What runs the containers: `native` (processes in their own network namespaces; needs
    /// root or CAP_NET_ADMIN), `docker` (the Docker Engine) or `swarm` (a Docker Swarm
    /// cluster, its nodes given by --swarm-node) [default: native]
    #[arg(long, global = true, value_enum)]
    pub runtime: Option<RuntimeArg>,
    /// Swarm runtime: a node of the cluster as NAME=unix:///path/docker.sock, the manager
    /// first; repeat it for each node a container may be placed on
    #[arg(long = "swarm-node", global = true, value_name = "NAME=SOCKET")]
    pub swarm_nodes: Vec<SwarmNode>,
    /// Native runtime: the network namespace of the site (its bridges live there); the host's
    /// own when absent. Swarm runtime: where each network gets a bridge of the site's own,
    /// linked to every node's overlay (the nodes' namespaces must be on this host), for the
    /// agent to extend; none when absent
    #[arg(long, global = true)]
    pub netns: Option<String>,
    /// Native runtime: the image catalogue, one directory per image with its manifest.toml
    /// [default: DATA_DIR/images]
    #[arg(long, global = true)]
    pub images_dir: Option<PathBuf>,
    /// The gRPC address; port 0 picks a free port, printed as `listening on ADDR`
    /// [default: 127.0.0.1:60000]
    #[arg(long, global = true)]
    pub listen: Option<SocketAddr>,
    /// Where the registry (popd.sqlite) and popd.addr live [default: /var/lib/archipel/popd]
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// The TOML file written by `archipel popd init`: users and settings
    #[arg(long, env = "POPD_CONFIG")]
    pub config: Option<PathBuf>,
    /// The instance name: Info's name and the label on this popd's workloads [default: popd]
    #[arg(long, global = true)]
    pub name: Option<String>,
    /// The network every container without endpoints joins [default: private]
    #[arg(long, global = true)]
    pub default_network: Option<String>,
    /// The default network's subnet [default: 172.16.0.0/16]
    #[arg(long, global = true)]
    pub default_subnet: Option<String>,
    /// How long a login session lasts, in seconds [default: 86400]
    #[arg(long, global = true)]
    pub session_ttl: Option<u64>,
    /// After a failed login, how long the next attempt of that user from that address waits,
    /// in milliseconds; doubled at each further failure [default: 200]
    #[arg(long, global = true)]
    pub login_delay: Option<u64>,
    /// The longest wait --login-delay grows to, in milliseconds [default: 5000]
    #[arg(long, global = true)]
    pub login_delay_max: Option<u64>,
    /// The largest request accepted, in bytes [default: 1048576]
    #[arg(long, global = true)]
    pub max_message_bytes: Option<usize>,
    /// Native runtime: a workload's log is rotated past this size, in bytes, keeping one
    /// rotated file [default: 10485760]
    #[arg(long, global = true)]
    pub log_max_bytes: Option<u64>,
    /// A flavour containers may be created with, besides docker.container (no limit), as
    /// NAME:memory=SIZE,cpus=N,pids=N (any of the three; SIZE like 64M or 1G), e.g.
    /// small:memory=64M,cpus=0.5,pids=100; repeat for more. Replaces the configuration file's.
    #[arg(long = "flavour", global = true, value_name = "SPEC")]
    pub flavours: Vec<FlavourSpec>,
    /// At a stop, how long the calls in flight have to finish, in seconds [default: 10]
    #[arg(long, global = true)]
    pub drain_timeout: Option<u64>,
    /// The site's agent (e.g. http://10.0.0.1:7000), asked for another address block when a
    /// network runs out; without it such a Create fails
    #[arg(long, requires = "pool_provider_token")]
    pub pool_provider: Option<String>,
    /// The agent's North bearer token, for --pool-provider
    #[arg(long, env = "POPD_POOL_PROVIDER_TOKEN", hide_env_values = true)]
    pub pool_provider_token: Option<String>,
    /// Serve Prometheus metrics over plain HTTP at ADDR/metrics (no credential: loopback
    /// only, unless --metrics-non-loopback); off by default
    #[arg(long, global = true, value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// Allow --metrics-listen on an address other hosts reach (the series carry no secret,
    /// but they tell what runs on the site)
    #[arg(long, global = true, requires = "metrics_listen")]
    pub metrics_non_loopback: bool,
    #[command(flatten)]
    pub tls: ServeTlsArgs,
    /// For an https:// --pool-provider
    #[command(flatten)]
    pub ca: CaArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum PopdCommand {
    /// Write a configuration file with a user (added to the file if it exists), and the
    /// settings given as flags. The password is stored only as an argon2id hash.
    Init {
        /// The file to write, e.g. /etc/archipel/popd.toml
        path: PathBuf,
        /// The user [default: POPD_AUTH's user, else admin]
        #[arg(long)]
        user: Option<String>,
        /// The password; else POPD_AUTH's, else read from standard input
        #[arg(long)]
        password: Option<String>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeArg {
    Docker,
    Native,
    Swarm,
}

pub async fn run(args: PopdArgs) -> anyhow::Result<()> {
    if let Some(PopdCommand::Init { path, user, password }) = &args.command {
        return init(&args, path, user.as_deref(), password.as_deref());
    }
    let mut config = PopdConfig::default();
    if let Some(path) = &args.config {
        ConfigFile::load(path)?.apply(&mut config);
    }
    apply_flags(&args, &mut config)?;
    config.tls = args.tls.files("popd", config.listen)?;
    if let Ok(value) = std::env::var(AUTH_ENV) {
        let user = User::from_auth_env(&value).context("reading POPD_AUTH")?;
        config.users.retain(|u| u.name != user.name);
        config.users.push(user);
    }
    if config.users.is_empty() {
        bail!("no users: pass --config FILE (see `archipel popd init`) or set POPD_AUTH=user:password");
    }
    let runtime: Arc<dyn Runtime> = match config.runtime {
        RuntimeKind::Docker => Arc::new(DockerRuntime::connect(&config.name).await?),
        RuntimeKind::Native => Arc::new(native_runtime(&args, &config).await?),
        RuntimeKind::Swarm => {
            let swarm = SwarmRuntime::connect(&config.name, &args.swarm_nodes).await?;
            match &args.netns {
                Some(netns) => Arc::new(
                    swarm.with_site_bridges(Some(netns.clone()), Arc::new(RtNetlink::new())),
                ),
                None => Arc::new(swarm),
            }
        }
    };
    // Signal handlers first: a signal that arrives while popd starts is not lost.
    let stop = shutdown_signal().context("installing the SIGTERM and SIGINT handlers")?;
    let drain = config.drain_timeout;
    let handle = archipel_pop::start(config, runtime).await?;
    ready::announce(handle.local_addr()).context("writing to stdout")?;
    handle.run(stop, drain).await?;
    Ok(())
}

async fn native_runtime(args: &PopdArgs, config: &PopdConfig) -> anyhow::Result<NativeRuntime> {
    let native = NativeConfig {
        instance: config.name.clone(),
        state_dir: archipel_pop::runtime::native::state_dir(&config.data_dir),
        images_dir: args.images_dir.clone().unwrap_or_else(|| config.data_dir.join("images")),
        site_netns: args.netns.clone(),
        netlink: Arc::new(RtNetlink::new()),
        log_max_bytes: config.log_max_bytes,
        helper: Some(
            std::env::current_exe().context("finding this program, run as container-init")?,
        ),
    };
    Ok(NativeRuntime::new(native).await?)
}

fn apply_flags(args: &PopdArgs, config: &mut PopdConfig) -> anyhow::Result<()> {
    if let Some(kind) = args.runtime {
        config.runtime = runtime_kind(kind);
    }
    if let Some(v) = args.listen {
        config.listen = v;
    }
    if let Some(v) = args.metrics_listen {
        if !v.ip().is_loopback() && !args.metrics_non_loopback {
            bail!(
                "--metrics-listen {v} is not a loopback address: the metrics need no credential, \
                 so give --metrics-non-loopback too if other hosts may read them"
            );
        }
        config.metrics_listen = Some(v);
    }
    if let Some(v) = &args.data_dir {
        config.data_dir = v.clone();
    }
    if let Some(v) = &args.name {
        config.name = v.clone();
    }
    if let Some(v) = &args.default_network {
        config.default_network = v.clone();
    }
    if let Some(v) = &args.default_subnet {
        config.default_subnet = v.parse().with_context(|| {
            format!("--default-subnet {v:?} is not an IPv4 prefix like 172.16.0.0/16")
        })?;
    }
    if let Some(v) = args.session_ttl {
        config.session_ttl = Duration::from_secs(v);
    }
    if let Some(v) = args.login_delay {
        config.login_throttle.base = Duration::from_millis(v);
    }
    if let Some(v) = args.login_delay_max {
        config.login_throttle.max = Duration::from_millis(v);
    }
    if let Some(v) = args.max_message_bytes {
        config.max_message_bytes = v;
    }
    if let Some(v) = args.log_max_bytes {
        config.log_max_bytes = v;
    }
    if let Some(v) = args.drain_timeout {
        config.drain_timeout = Duration::from_secs(v);
    }
    if !args.flavours.is_empty() {
        config.flavours.clone_from(&args.flavours);
    }
    check_flavours(&config.flavours).context("--flavour")?;
    if let (Some(url), Some(token)) = (&args.pool_provider, &args.pool_provider_token) {
        // Checks the CA now, and that an https:// provider has one.
        args.ca.client(&[url])?;
        config.pool_provider = Some(PoolProviderConfig {
            url: url.clone(),
            token: token.clone(),
            ca: args.ca.ca.clone(),
        });
    }
    Ok(())
}

fn runtime_kind(arg: RuntimeArg) -> RuntimeKind {
    match arg {
        RuntimeArg::Docker => RuntimeKind::Docker,
        RuntimeArg::Native => RuntimeKind::Native,
        RuntimeArg::Swarm => RuntimeKind::Swarm,
    }
}

fn init(
    args: &PopdArgs,
    path: &Path,
    user: Option<&str>,
    password: Option<&str>,
) -> anyhow::Result<()> {
    let mut file = if path.exists() { ConfigFile::load(path)? } else { ConfigFile::default() };
    let env = std::env::var(AUTH_ENV).ok();
    let env_pair = env.as_deref().and_then(|v| v.split_once(':'));
    let name = user.or(env_pair.map(|(u, _)| u)).unwrap_or("admin").to_owned();
    let password = match password.or(env_pair.map(|(_, p)| p)) {
        Some(p) => p.to_owned(),
        None => read_password(&name)?,
    };
    if name.is_empty() || password.is_empty() {
        bail!("the user name and the password must not be empty");
    }
    file.upsert_user(User::with_password(&name, &password)?);
    let s = &mut file.server;
    if let Some(kind) = args.runtime {
        s.runtime = Some(runtime_kind(kind));
    }
    s.listen = args.listen.or(s.listen);
    s.data_dir = args.data_dir.clone().or(s.data_dir.take());
    s.name = args.name.clone().or(s.name.take());
    s.default_network = args.default_network.clone().or(s.default_network.take());
    if let Some(v) = &args.default_subnet {
        s.default_subnet = Some(v.parse().with_context(|| format!("--default-subnet {v:?}"))?);
    }
    s.session_ttl_secs = args.session_ttl.or(s.session_ttl_secs);
    s.max_message_bytes = args.max_message_bytes.or(s.max_message_bytes);
    s.log_max_bytes = args.log_max_bytes.or(s.log_max_bytes);
    file.save(path)?;
    println!("wrote {} with user {name}", path.display());
    Ok(())
}

/// One line from standard input. It is not hidden: prefer POPD_AUTH or a pipe.
fn read_password(user: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        eprint!("password for {user} (shown as typed): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        popd: PopdArgs,
    }

    #[test]
    fn flags_override_the_defaults() {
        let cli = Cli::parse_from([
            "popd",
            "--listen",
            "127.0.0.1:0",
            "--name",
            "site-a",
            "--default-subnet",
            "10.1.0.0/16",
            "--session-ttl",
            "60",
        ]);
        let mut config = PopdConfig::default();
        apply_flags(&cli.popd, &mut config).unwrap();
        assert_eq!(config.listen.port(), 0);
        assert_eq!(config.name, "site-a");
        assert_eq!(config.default_subnet.to_string(), "10.1.0.0/16");
        assert_eq!(config.session_ttl, Duration::from_secs(60));
        assert_eq!(config.default_network, "private");
        assert_eq!(config.pool_provider, None);
        let agent = ["popd", "--pool-provider", "http://10.0.0.1:7000"];
        let with_token = [&agent[..], &["--pool-provider-token", "t0k"]].concat();
        apply_flags(&Cli::parse_from(with_token).popd, &mut config).unwrap();
        let provider = config.pool_provider.clone().unwrap();
        assert_eq!(
            (provider.url.as_str(), provider.token.as_str()),
            ("http://10.0.0.1:7000", "t0k")
        );
        let bad = Cli::parse_from(["popd", "--default-subnet", "10.1.0.0"]);
        assert!(apply_flags(&bad.popd, &mut config).is_err());
    }

    #[test]
    fn metrics_stay_on_loopback_unless_told() {
        let mut config = PopdConfig::default();
        let local = Cli::parse_from(["popd", "--metrics-listen", "127.0.0.1:9100"]);
        apply_flags(&local.popd, &mut config).unwrap();
        assert_eq!(config.metrics_listen, Some("127.0.0.1:9100".parse().unwrap()));
        let open = Cli::parse_from(["popd", "--metrics-listen", "0.0.0.0:9100"]);
        let refused = apply_flags(&open.popd, &mut config).unwrap_err().to_string();
        assert!(refused.contains("--metrics-non-loopback"), "{refused}");
        let told = ["popd", "--metrics-listen", "0.0.0.0:9100", "--metrics-non-loopback"];
        apply_flags(&Cli::parse_from(told).popd, &mut config).unwrap();
        assert_eq!(config.metrics_listen, Some("0.0.0.0:9100".parse().unwrap()));
    }

    #[test]
    fn init_writes_a_hashed_user_and_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("popd.toml");
        let path_arg = path.to_str().unwrap();
        let cli = Cli::parse_from(["popd", "init", path_arg, "--user", "ops", "--name", "site-b"]);
        init(&cli.popd, &path, Some("ops"), Some("pw-ops")).unwrap();
        init(&cli.popd, &path, Some("admin"), Some("pw-admin")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("pw-ops") && !text.contains("pw-admin"));
        let file = ConfigFile::load(&path).unwrap();
        assert_eq!(file.server.name.as_deref(), Some("site-b"));
        let names: Vec<_> = file.users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, vec!["ops", "admin"]);
        assert!(file.users.iter().all(|u| u.password_hash.starts_with("$argon2id$")));
    }
}
