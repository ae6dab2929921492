//! `archipel nfvo`: the orchestrator daemon (catalogue, network-service lifecycle, generic
//! VNFM, REST API). It recovers what a previous run left in progress, serves until SIGTERM or
//! SIGINT, then lets requests and operations in flight finish for a while. The first start
//! makes the first admin from `NFVO_ADMIN=USER:PASSWORD` (an environment variable, so that the
//! password never shows in `ps`); later starts ignore it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use archipel_daemon::auth::ThrottleConfig;
use archipel_daemon::{ready, shutdown_signal};
use archipel_nfvo::engine::{AuthConfig, WatchConfig};
use archipel_nfvo::vim::PopVims;
use archipel_nfvo::{api, Ipv4Net, Nfvo, NfvoConfig};

use crate::cmd::tls::{CaArgs, ServeTlsArgs};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
The first start needs NFVO_ADMIN=USER:PASSWORD: it makes that user the first admin (only
while no user exists). Every route but /health, /openapi.json and the login needs a token.

Example:
  NFVO_ADMIN=admin:s3cret-admin archipel nfvo --listen 127.0.0.1:8080 --data-dir /var/lib/archipel/nfvo --insecure
  export ARCHIPEL_ENDPOINT=http://127.0.0.1:8080 POP_AUTH=admin:secret
  archipel login --user admin
  archipel site add site-a --pop http://127.0.0.1:60000
  archipel ns onboard examples/sipp/nsd.json
  archipel ns launch docker-test-NS-sipp --wait")]
pub struct NfvoArgs {
    /// The REST API's address; port 0 picks a free port, printed as `listening on ADDR`.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the store (nfvo.sqlite) lives.
    #[arg(long, default_value = "/var/lib/archipel/nfvo")]
    pub data_dir: PathBuf,
    /// The addresses the subnets of the Pop networks the NFVO creates come from.
    #[arg(long, default_value = "10.200.0.0/16", value_parser = parse_pool)]
    pub subnet_pool: Ipv4Net,
    /// The prefix length of each of those subnets.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u8).range(8..=30))]
    pub subnet_prefix: u8,
    /// The deadline of each Pop call, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub pop_timeout: u64,
    /// How long a site has to answer Info at registration and in listings, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub site_timeout: u64,
    /// At a stop, how long requests and operations in flight have to finish, in seconds;
    /// operations still running then are finished or rolled back at the next start.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub drain_timeout: u64,
    #[command(flatten)]
    pub tls: ServeTlsArgs,
    /// For https:// popds and agents
    #[command(flatten)]
    pub ca: CaArgs,
    /// How long a login token is valid, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 12 * 3600, value_parser = clap::value_parser!(u64).range(1..))]
    pub token_ttl: u64,
    /// After a failed login, how long the next attempt of that user from that address waits,
    /// in milliseconds; it doubles with each further failure.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub login_delay: u64,
    /// The longest such wait, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub login_delay_max: u64,
    /// Refuse NSDs whose VNF dependencies form a cycle (Open Baton's `nfvo.start.ordered`).
    /// Without it, as in Open Baton, a cyclic NSD is taken and its cycle started from the
    /// first-declared VNF: every address is known before any VNF is configured.
    #[arg(long)]
    pub ordered_start: bool,
    /// How often each followed site must answer Info, in milliseconds; one that does not is
    /// taken as cut off and its VNFC instances become UNKNOWN.
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(10..))]
    pub watch_probe: u64,
    /// How many heals the auto-heal of a network service begins before it leaves the alarm
    /// raised (an operator's heal gives them back).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub auto_heal_attempts: u32,
    /// The wait before the first auto-heal, in milliseconds; it doubles with each attempt.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub auto_heal_backoff: u64,
    /// The most items a list of the API answers at once; clients follow the `Link` header to
    /// the next page (SOL013 paging).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub page_size: u64,
}

/// The environment variable of the first admin.
const ADMIN_ENV: &str = "NFVO_ADMIN";

fn parse_pool(text: &str) -> Result<Ipv4Net, String> {
    text.parse().map_err(|_| "expected an IPv4 prefix such as 10.200.0.0/16".to_owned())
}

pub async fn run(args: NfvoArgs) -> anyhow::Result<()> {
    // Signal handlers first: a signal that arrives while the NFVO starts is not lost.
    let stop = shutdown_signal().context("installing the SIGTERM and SIGINT handlers")?;
    let config = NfvoConfig {
        subnet_pool: args.subnet_pool,
        subnet_prefix: args.subnet_prefix,
        site_timeout: Duration::from_secs(args.site_timeout),
        ordered_start: args.ordered_start,
        auth: AuthConfig {
            token_ttl: Duration::from_secs(args.token_ttl),
            throttle: ThrottleConfig {
                base: Duration::from_millis(args.login_delay),
                max: Duration::from_millis(args.login_delay_max),
            },
        },
        watch: WatchConfig {
            probe: Duration::from_millis(args.watch_probe),
            auto_heal_attempts: args.auto_heal_attempts,
            auto_heal_backoff: Duration::from_millis(args.auto_heal_backoff),
            ..WatchConfig::default()
        },
        page_size: usize::try_from(args.page_size).context("--page-size")?,
    };
    let server_tls = args.tls.server_config("the NFVO", args.listen, None)?;
    let client_tls = args.ca.client(&[])?;
    let vims =
        Arc::new(PopVims { timeout: Duration::from_secs(args.pop_timeout), tls: client_tls });
    let nfvo = Nfvo::open(&args.data_dir, vims, config)
        .await
        .with_context(|| format!("opening the store in {}", args.data_dir.display()))?;
    bootstrap(&nfvo).await?;
    let _watching = nfvo.watch_sites();
    let _collecting = nfvo.collect_performance();
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let handle =
        api::start_with(listener, nfvo, server_tls).context("reading the bound address")?;
    ready::announce(handle.local_addr()).context("writing to stdout")?;
    let drained = handle.run(stop, Duration::from_secs(args.drain_timeout)).await;
    if !drained.context("serving the API")? {
        tracing::warn!("operations still running: the next start finishes or rolls them back");
    }
    Ok(())
}

/// Makes the first admin from `NFVO_ADMIN` while no user exists; refuses to start without one.
async fn bootstrap(nfvo: &Nfvo) -> anyhow::Result<()> {
    let given = std::env::var(ADMIN_ENV).ok().filter(|v| !v.is_empty());
    let Some(given) = given else {
        if nfvo.users().context("reading the users")?.is_empty() {
            anyhow::bail!(
                "the NFVO has no user yet: start it once with {ADMIN_ENV}=USER:PASSWORD to make \
                 the first admin"
            );
        }
        return Ok(());
    };
    let Some((user, password)) = given.split_once(':') else {
        anyhow::bail!("{ADMIN_ENV} must be USER:PASSWORD");
    };
    if nfvo.bootstrap_admin(user, password).await.context("making the first admin")? {
        tracing::info!(target: "audit", %user, operation = "bootstrap", target = %user, outcome = "ok");
    } else {
        tracing::info!("users exist: {ADMIN_ENV} is ignored");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        nfvo: NfvoArgs,
    }

    #[test]
    fn defaults_and_flags() {
        let cli = Cli::parse_from(["nfvo", "--insecure"]);
        assert_eq!(cli.nfvo.subnet_pool.to_string(), "10.200.0.0/16");
        assert_eq!(cli.nfvo.listen.port(), 8080);
        let cli =
            Cli::parse_from(["nfvo", "--listen", "127.0.0.1:0", "--subnet-pool", "10.9.0.0/20"]);
        assert_eq!(cli.nfvo.listen.port(), 0);
        assert_eq!(cli.nfvo.subnet_pool.to_string(), "10.9.0.0/20");
        assert!(Cli::try_parse_from(["nfvo", "--subnet-pool", "10.9.0.0"]).is_err());
        assert!(Cli::try_parse_from(["nfvo", "--subnet-prefix", "31"]).is_err());
    }
}
