//! `archipel agent`: the inter-site agent (DIMINET) of one site.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use archipel_agent::api::{self, Secrets};
use archipel_agent::{generate_token, AgentConfig, Setup, DEFAULT_CONVERGE_INTERVAL};
use archipel_daemon::{ready, shutdown_signal, tls};
use archipel_pop_client::Credentials;
use clap::Args;

use crate::cmd::tls::{CaArgs, ServeTlsArgs};

#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  export POP_AUTH=admin:secret ARCHIPEL_AGENT_KEY=shared-secret
  archipel agent --site a --listen 192.0.2.1:7000 --data-dir /var/lib/archipel/agent \\
    --tls-cert pki/agent-a.pem --tls-key pki/agent-a.key --ca pki/ca.pem \\
    --pop https://127.0.0.1:60000 --underlay-ip 192.0.2.1 --peer b=https://192.0.2.2:7000")]
pub struct AgentArgs {
    /// This site's name, as the other agents know it.
    #[arg(long, value_name = "NAME")]
    site: String,
    /// Where the North and East-West interfaces listen.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7000")]
    listen: SocketAddr,
    /// Where the agent keeps its store (agent.sqlite).
    #[arg(long, value_name = "DIR")]
    data_dir: PathBuf,
    /// This site's popd.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:60000")]
    pop: String,
    /// The popd login.
    #[arg(long, env = "POP_AUTH", value_name = "USER:PASSWORD", hide_env_values = true)]
    pop_auth: String,
    /// This site's underlay (VTEP) address.
    #[arg(long, value_name = "IP")]
    underlay_ip: Ipv4Addr,
    /// The network namespace holding the underlay address (default: the host's).
    #[arg(long, value_name = "NS")]
    netns: Option<String>,
    /// Another site's agent; repeat for each site.
    #[arg(long = "peer", value_name = "NAME=URL", value_parser = parse_peer)]
    peers: Vec<(String, String)>,
    /// The East-West key shared by every agent.
    #[arg(long, env = "ARCHIPEL_AGENT_KEY", value_name = "KEY", hide_env_values = true)]
    key: String,
    /// The North bearer token; one is generated and printed when unset.
    #[arg(long, env = "ARCHIPEL_AGENT_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    north_token: Option<String>,
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

pub async fn run(args: AgentArgs) -> anyhow::Result<()> {
    // Signal handlers first: a signal that arrives while the agent starts is not lost.
    let stop = shutdown_signal().context("installing the SIGTERM and SIGINT handlers")?;
    let (username, password) =
        args.pop_auth.split_once(':').context("POP_AUTH must be USER:PASSWORD")?;
    let files = args.tls.files("the agent", args.listen)?;
    let server_tls = match &files {
        Some(files) => Some(tls::server_config(&files.cert, &files.key, args.ca.ca.as_deref())?),
        None => None,
    };
    let mut urls: Vec<&str> = args.peers.iter().map(|(_, url)| url.as_str()).collect();
    urls.push(&args.pop);
    let client_tls = args.ca.client_with_identity(&urls, files.as_ref())?;
    let mut config = AgentConfig::new(args.site, args.underlay_ip);
    config.netns = args.netns;
    let setup = Setup {
        config,
        data_dir: args.data_dir,
        pop: Credentials {
            endpoint: args.pop,
            username: username.to_owned(),
            password: password.to_owned(),
            ca: client_tls.as_ref().map(|tls| tls.ca_pem.clone()),
        },
        peers: args.peers.into_iter().collect::<BTreeMap<_, _>>(),
        key: args.key.clone(),
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
    let secrets = Secrets { north_token, east_west_key: args.key };
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
            "--key",
            "k",
            "--insecure",
            "--peer",
            "b=http://192.0.2.2:7000",
        ];
        let cli = Cli::try_parse_from(words).unwrap();
        assert_eq!(cli.agent.peers, [("b".to_owned(), "http://192.0.2.2:7000".to_owned())]);
        assert_eq!(cli.agent.converge_interval, 5);
        assert!(parse_peer("b:http://x").is_err());
        assert!(parse_peer("=http://x").is_err());
    }
}
