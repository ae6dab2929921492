//! `archipel agent`: the inter-site agent (DIMINET) of one site, as a daemon.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context as _};
use archipel_agent::api::{self, Secrets};
use archipel_agent::wireguard::{Encryption, DEFAULT_PORT};
use archipel_agent::{generate_token, AgentConfig, PeerLink, Setup, DEFAULT_CONVERGE_INTERVAL};
use archipel_daemon::{ready, shutdown_signal, tls};
use archipel_pop_client::Credentials;
use clap::Args;

use crate::cmd::tls::{CaArgs, ServeTlsArgs};

#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  export POP_AUTH=admin:secret
  archipel agent --site a --listen 192.0.2.1:7000 --data-dir /var/lib/archipel/agent \\
    --tls-cert pki/agent-a.pem --tls-key pki/agent-a.key --ca pki/ca.pem \\
    --pop https://127.0.0.1:60000 --underlay-ip 192.0.2.1 --peer b=https://192.0.2.2:7000
In plain text (--insecure), each pair of sites shares a key instead:
  export ARCHIPEL_AGENT_KEYS=b=key-shared-by-a-and-b")]
pub struct AgentArgs {
    /// This site's name, as the other agents know it.
    #[arg(long, value_name = "NAME", required = true)]
    site: Option<String>,
    /// Where the North and East-West interfaces listen.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7000")]
    listen: SocketAddr,
    /// Where the agent keeps its store (agent.sqlite).
    #[arg(long, value_name = "DIR", required = true)]
    data_dir: Option<PathBuf>,
    /// This site's popd.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:60000")]
    pop: String,
    /// The popd login.
    #[arg(
        long,
        env = "POP_AUTH",
        value_name = "USER:PASSWORD",
        hide_env_values = true,
        required = true
    )]
    pop_auth: Option<String>,
    /// This site's underlay (VTEP) address.
    #[arg(long, value_name = "IP", required = true)]
    underlay_ip: Option<Ipv4Addr>,
    /// The network namespace holding the underlay address (default: the host's).
    #[arg(long, value_name = "NS")]
    netns: Option<String>,
    /// Another site's agent; repeat for each site. Its underlay (VTEP) address is the URL's
    /// host unless --peer-underlay gives it.
    #[arg(long = "peer", value_name = "NAME=URL", value_parser = parse_peer)]
    peers: Vec<(String, String)>,
    /// A peer's underlay address, when its agent's URL does not name it; repeat for each.
    #[arg(long = "peer-underlay", value_name = "NAME=IP", value_parser = parse_underlay)]
    peer_underlays: Vec<(String, Ipv4Addr)>,
    /// In plain text (--insecure), the East-West key this site shares with each peer, one per
    /// pair of sites (a peer never holds a key that opens a third site): NAME=KEY,
    /// comma-separated. Over TLS a peer is known by its certificate instead.
    #[arg(long, env = "ARCHIPEL_AGENT_KEYS", value_name = "NAME=KEY,...", hide_env_values = true, value_parser = parse_keys)]
    peer_keys: Option<PeerKeys>,
    /// The North bearer token; one is generated and printed when unset.
    #[arg(long, env = "ARCHIPEL_AGENT_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    north_token: Option<String>,
    /// How the services this site makes cross the underlay: VXLAN inside WireGuard, or plain
    /// VXLAN (`none`, for a trusted underlay). A site joins only services made with its own
    /// setting.
    #[arg(long, value_name = "wireguard|none", default_value_t = Encryption::Wireguard)]
    encryption: Encryption,
    /// The UDP port of this site's WireGuard device.
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
    wireguard_port: u16,
    /// The deadline of each call to another agent, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    peer_timeout: u64,
    /// How often the agent brings every site of the services it masters in step with it
    /// (after a partition), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_CONVERGE_INTERVAL.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    converge_interval: u64,
    /// At a stop, how long the calls in flight have to finish, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    drain_timeout: u64,
    /// The agent presents --tls-cert to other agents too (East-West mutual TLS: it names the
    /// site), and verifies theirs against --ca.
    #[command(flatten)]
    tls: ServeTlsArgs,
    /// For an https:// popd and https:// peers; also what callers' certificates are checked
    /// against
    #[command(flatten)]
    ca: CaArgs,
}

fn parse_peer(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, url)) if !name.is_empty() && url.starts_with("http") => {
            Ok((name.to_owned(), url.to_owned()))
        }
        _ => Err("expected NAME=URL, such as b=https://192.0.2.2:7000".to_owned()),
    }
}

fn parse_underlay(text: &str) -> Result<(String, Ipv4Addr), String> {
    let parsed = text.split_once('=').and_then(|(name, ip)| Some((name, ip.parse().ok()?)));
    match parsed {
        Some((name, ip)) if !name.is_empty() => Ok((name.to_owned(), ip)),
        _ => Err("expected NAME=IP, such as b=192.0.2.2".to_owned()),
    }
}

/// The keys shared with the peers, by site name; never printed.
#[derive(Clone)]
struct PeerKeys(BTreeMap<String, String>);

impl std::fmt::Debug for PeerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// The largest key accepted: keys are compared through their digests, any length works, but
/// an unbounded input is refused.
const MAX_KEY: usize = 256;

fn parse_keys(text: &str) -> Result<PeerKeys, String> {
    let mut keys = BTreeMap::new();
    for pair in text.split(',').filter(|p| !p.is_empty()) {
        let Some((name, key)) =
            pair.split_once('=').filter(|(n, k)| !n.is_empty() && !k.is_empty())
        else {
            return Err("expected NAME=KEY pairs separated by commas, such as b=K1,c=K2".to_owned());
        };
        if key.len() > MAX_KEY {
            return Err(format!("the key of peer {name} is longer than {MAX_KEY} bytes"));
        }
        if keys.insert(name.to_owned(), key.to_owned()).is_some() {
            return Err(format!("peer {name} has two keys"));
        }
    }
    Ok(PeerKeys(keys))
}

/// Each peer's link (URL, and key in plain text) and underlay address. In plain text every
/// peer needs a key and every key a peer; over TLS the certificates tell the sites apart and
/// keys are refused, so that none is thought to protect anything.
fn peers(
    args: &AgentArgs,
    tls: bool,
) -> anyhow::Result<(BTreeMap<String, PeerLink>, BTreeMap<String, Ipv4Addr>)> {
    let keys = args.peer_keys.as_ref().map(|k| &k.0);
    if tls && keys.is_some() {
        bail!("ARCHIPEL_AGENT_KEYS is for plain text (--insecure): over TLS a peer is known by its certificate");
    }
    let underlays: BTreeMap<&str, Ipv4Addr> =
        args.peer_underlays.iter().map(|(n, ip)| (n.as_str(), *ip)).collect();
    let (mut links, mut addresses) = (BTreeMap::new(), BTreeMap::new());
    for (name, url) in &args.peers {
        let key = match tls {
            true => None,
            false => Some(keys.and_then(|k| k.get(name)).cloned().with_context(|| {
                format!("peer {name} has no key: give it in ARCHIPEL_AGENT_KEYS as {name}=KEY")
            })?),
        };
        let host = url.split("://").nth(1).and_then(|rest| rest.split([':', '/']).next());
        let underlay = underlays
            .get(name.as_str())
            .copied()
            .or_else(|| host?.parse().ok())
            .with_context(|| {
                format!("the URL of peer {name} names no IPv4 address: give its underlay address with --peer-underlay {name}=IP")
            })?;
        links.insert(name.clone(), PeerLink { url: url.clone(), key });
        addresses.insert(name.clone(), underlay);
    }
    let known = |name: &String| links.contains_key(name);
    if let Some(name) = keys.into_iter().flat_map(BTreeMap::keys).find(|n| !known(n)) {
        bail!("ARCHIPEL_AGENT_KEYS holds a key for {name}, which is not a --peer");
    }
    if let Some((name, _)) = args.peer_underlays.iter().find(|(n, _)| !known(n)) {
        bail!("--peer-underlay names {name}, which is not a --peer");
    }
    Ok((links, addresses))
}

pub async fn run(args: AgentArgs) -> anyhow::Result<()> {
    // Signal handlers first: a signal that arrives while the agent starts is not lost.
    let stop = shutdown_signal().context("installing the SIGTERM and SIGINT handlers")?;
    // Required by the parser unless a subcommand is given.
    let (Some(site), Some(data_dir), Some(pop_auth), Some(underlay_ip)) =
        (args.site.clone(), args.data_dir.clone(), args.pop_auth.clone(), args.underlay_ip)
    else {
        bail!("the agent needs --site, --data-dir, --pop-auth and --underlay-ip");
    };
    let (username, password) =
        pop_auth.split_once(':').context("POP_AUTH must be USER:PASSWORD")?;
    let files = args.tls.files("the agent", args.listen)?;
    let server_tls = match &files {
        Some(files) => Some(tls::server_config(&files.cert, &files.key, args.ca.ca.as_deref())?),
        None => None,
    };
    let mut urls: Vec<&str> = args.peers.iter().map(|(_, url)| url.as_str()).collect();
    urls.push(&args.pop);
    let client_tls = args.ca.client_with_identity(&urls, files.as_ref())?;
    let (links, underlays) = peers(&args, files.is_some())?;
    let mut config = AgentConfig::new(site, underlay_ip);
    config.netns = args.netns;
    config.peers = underlays;
    config.encryption = args.encryption;
    config.wg_port = args.wireguard_port;
    config.key_dir.clone_from(&data_dir);
    config.exe = std::env::current_exe().context("cannot find the archipel binary")?;
    let setup = Setup {
        config,
        data_dir,
        pop: Credentials {
            endpoint: args.pop,
            username: username.to_owned(),
            password: password.to_owned(),
            ca: client_tls.as_ref().map(|tls| tls.ca_pem.clone()),
        },
        peers: links,
        timeout: Duration::from_secs(args.peer_timeout),
        converge_interval: Duration::from_secs(args.converge_interval),
        peer_tls: client_tls.map(|tls| tls.config),
    };
    let agent = setup.start().context("cannot open the agent's store")?;
    let north_token = match args.north_token {
        Some(token) => token,
        None => {
            let token = generate_token();
            println!("north token: {token}");
            token
        }
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let peer_keys = args.peer_keys.map(|keys| keys.0).unwrap_or_default();
    let secrets = Secrets { north_token, peer_keys };
    let handle = api::start_with(listener, agent, secrets, server_tls)
        .context("cannot read the bound address")?;
    ready::announce(handle.local_addr()).context("writing to stdout")?;
    handle.run(stop, Duration::from_secs(args.drain_timeout)).await.context("the server failed")?;
    tracing::info!("drained, exiting");
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        agent: AgentArgs,
    }

    #[test]
    fn reads_the_peers_and_refuses_bad_ones() {
        let words = [
            "agent",
            "--site",
            "a",
            "--data-dir",
            "/tmp/x",
            "--pop-auth",
            "admin:pw",
            "--underlay-ip",
            "192.0.2.1",
            "--peer-keys",
            "b=k1,c=k2",
            "--insecure",
            "--peer",
            "b=http://192.0.2.2:7000",
            "--peer",
            "c=http://agent-c.example:7000",
            "--peer-underlay",
            "c=192.0.2.3",
        ];
        let cli = Cli::try_parse_from(words).unwrap();
        assert_eq!(cli.agent.peers[0], ("b".to_owned(), "http://192.0.2.2:7000".to_owned()));
        assert_eq!(cli.agent.converge_interval, 5);
        let (links, underlays) = peers(&cli.agent, false).unwrap();
        assert_eq!(
            links["c"],
            PeerLink { url: "http://agent-c.example:7000".into(), key: Some("k2".into()) }
        );
        let expected = [("b", [192, 0, 2, 2]), ("c", [192, 0, 2, 3])];
        assert_eq!(underlays, expected.map(|(s, ip)| (s.to_owned(), Ipv4Addr::from(ip))).into());
        assert!(parse_peer("b:http://x").is_err());
        assert!(parse_peer("=http://x").is_err());
        assert!(parse_keys("b=k1,b=k2").is_err());
        assert!(parse_keys("b").is_err());
        assert!(parse_keys(&format!("b={}", "k".repeat(MAX_KEY + 1))).is_err());
        assert!(!format!("{:?}", parse_keys("b=secret").unwrap()).contains("secret"));
    }

    #[test]
    fn refuses_a_peer_without_key_or_underlay_and_a_key_without_peer() {
        let parse = |extra: &[&str]| {
            let base = ["agent", "--site", "a", "--data-dir", "/tmp/x", "--pop-auth", "admin:pw"];
            let words = [&base[..], &["--underlay-ip", "192.0.2.1"], extra].concat();
            peers(&Cli::try_parse_from(words).unwrap().agent, false).unwrap_err().to_string()
        };
        let no_key = parse(&["--peer-keys", "c=k", "--peer", "b=http://192.0.2.2:7000"]);
        assert!(no_key.starts_with("peer b has no key"), "{no_key}");
        let named = parse(&["--peer-keys", "b=k", "--peer", "b=http://agent-b:7000"]);
        assert!(named.contains("--peer-underlay b=IP"), "{named}");
        let stray = parse(&["--peer-keys", "b=k,c=k", "--peer", "b=http://192.0.2.2:7000"]);
        assert_eq!(stray, "ARCHIPEL_AGENT_KEYS holds a key for c, which is not a --peer");
        let words = ["agent", "--site", "a", "--data-dir", "/tmp/x", "--pop-auth", "admin:pw"];
        let words =
            [&words[..], &["--underlay-ip", "192.0.2.1", "--peer", "b=https://192.0.2.2:7000"]]
                .concat();
        let cli = Cli::try_parse_from(&words).unwrap();
        let (links, _) = peers(&cli.agent, true).unwrap();
        assert_eq!(links["b"].key, None, "over TLS the certificate tells the caller");
        let keyed = Cli::try_parse_from([&words[..], &["--peer-keys", "b=k"]].concat()).unwrap();
        let refused = peers(&keyed.agent, true).unwrap_err().to_string();
        assert!(refused.starts_with("ARCHIPEL_AGENT_KEYS is for plain text"), "{refused}");
    }
}
