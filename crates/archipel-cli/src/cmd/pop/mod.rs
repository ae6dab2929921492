//! `archipel pop`: the thesis's `pop` client, one file per subcommand.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use archipel_pop_client::{Client, Credentials};
use clap::{Args, Subcommand};

use crate::cmd::tls::CaArgs;
use crate::output::{self, Format, Tabular};
use crate::usage::UsageError;

mod catalogue_view;
mod container_view;
mod create;
mod exec;
mod flavours;
mod image;
mod images;
mod info;
mod logs;
mod md;
mod network;
mod network_view;
mod networks;
mod rm;
mod servers;
mod spawn;
mod start;
mod stop;
mod watch;
pub mod words;

#[derive(Debug, Args)]
#[command(after_help = "\
Results print as YAML unless --output says otherwise. Errors print as
`error: MESSAGE (GRPC_CODE)` on stderr; the exit code is 1, or 2 for a bad command line.

Example:
  export POP_AUTH=admin:secret
  archipel pop spawn image=nginx:latest name=nginx-cont
  archipel pop servers")]
pub struct PopArgs {
    /// The popd to talk to.
    #[arg(
        long,
        global = true,
        env = "POP_ENDPOINT",
        value_name = "URL",
        default_value = "http://127.0.0.1:60000",
        value_parser = parse_endpoint
    )]
    endpoint: String,
    /// Who logs in; every command but info needs it.
    #[arg(
        long,
        global = true,
        env = "POP_AUTH",
        value_name = "USER:PASSWORD",
        value_parser = parse_auth,
        hide_env_values = true
    )]
    auth: Option<Auth>,
    /// How results are printed.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t)]
    output: Format,
    /// The deadline of each call, in seconds. For stop, also how long the workload has to end
    /// before it is killed (popd's default otherwise). Watch has no deadline.
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout: Option<u64>,
    #[command(flatten)]
    ca: CaArgs,
    #[command(subcommand)]
    command: PopCommand,
}

#[derive(Debug, Subcommand)]
enum PopCommand {
    Create(create::CreateArgs),
    Spawn(spawn::SpawnArgs),
    Servers(servers::ServersArgs),
    Images(images::ImagesArgs),
    Image(image::ImageArgs),
    Networks(networks::NetworksArgs),
    Flavours(flavours::FlavoursArgs),
    Info(info::InfoArgs),
    Md(md::MdArgs),
    Start(start::StartArgs),
    Stop(stop::StopArgs),
    Rm(rm::RmArgs),
    Logs(logs::LogsArgs),
    Exec(exec::ExecArgs),
    Network(network::NetworkArgs),
    Watch(watch::WatchArgs),
}

pub async fn run(args: PopArgs) -> anyhow::Result<()> {
    let tls = args.ca.client(&[&args.endpoint])?;
    let ctx = Context {
        ca: tls.map(|tls| tls.ca_pem),
        endpoint: args.endpoint,
        auth: args.auth,
        output: args.output,
        timeout: args.timeout.map(Duration::from_secs),
    };
    let result = match args.command {
        PopCommand::Create(args) => create::run(&ctx, args).await,
        PopCommand::Spawn(args) => spawn::run(&ctx, args).await,
        PopCommand::Servers(args) => servers::run(&ctx, args).await,
        PopCommand::Images(args) => images::run(&ctx, args).await,
        PopCommand::Image(args) => image::run(&ctx, args).await,
        PopCommand::Networks(args) => networks::run(&ctx, args).await,
        PopCommand::Flavours(args) => flavours::run(&ctx, args).await,
        PopCommand::Info(args) => info::run(&ctx, args).await,
        PopCommand::Md(args) => md::run(&ctx, args).await,
        PopCommand::Start(args) => start::run(&ctx, args).await,
        PopCommand::Stop(args) => stop::run(&ctx, args).await,
        PopCommand::Rm(args) => rm::run(&ctx, args).await,
        PopCommand::Logs(args) => logs::run(&ctx, args).await,
        PopCommand::Exec(args) => exec::run(&ctx, args).await,
        PopCommand::Network(args) => network::run(&ctx, args).await,
        PopCommand::Watch(args) => watch::run(&ctx, args).await,
    };
    ctx.end_session().await;
    result
}

fn parse_endpoint(url: &str) -> Result<String, String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.to_string())
    } else {
        Err("expected a URL such as http://127.0.0.1:60000".to_string())
    }
}

/// `USER:PASSWORD`, split at the first colon (a password may hold colons).
#[derive(Clone)]
struct Auth {
    username: String,
    password: String,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth").field("username", &self.username).finish_non_exhaustive()
    }
}

fn parse_auth(text: &str) -> Result<Auth, String> {
    match text.split_once(':') {
        Some((username, password)) if !username.is_empty() => {
            Ok(Auth { username: username.to_string(), password: password.to_string() })
        }
        _ => Err("expected USER:PASSWORD".to_string()),
    }
}

/// What every subcommand needs: the client and how to print.
#[derive(Debug)]
pub struct Context {
    endpoint: String,
    /// The CA (PEM) an https:// endpoint is checked against.
    ca: Option<Arc<[u8]>>,
    auth: Option<Auth>,
    output: Format,
    timeout: Option<Duration>,
}

impl Context {
    pub fn client(&self) -> Result<Client, UsageError> {
        let auth = self.auth.as_ref().ok_or(UsageError::NoAuth)?;
        let client = Client::new(Credentials {
            endpoint: self.endpoint.clone(),
            username: auth.username.clone(),
            password: auth.password.clone(),
            ca: self.ca.clone(),
        });
        Ok(match self.timeout {
            Some(timeout) => client.with_timeout(timeout),
            None => client,
        })
    }

    /// Logs out if the command logged in, so that short-lived commands leave no session behind
    /// in popd. A failure only matters to popd, which ends the session at its expiry anyway.
    async fn end_session(&self) {
        if let Ok(client) = self.client() {
            if let Err(err) = client.logout().await {
                tracing::debug!(error = %err, "logout failed");
            }
        }
    }

    pub fn print_one<T: Tabular>(&self, item: &T) -> anyhow::Result<()> {
        output::emit(output::render_one(self.output, item)?)?;
        Ok(())
    }

    pub fn print_list<T: Tabular>(&self, items: &[T]) -> anyhow::Result<()> {
        output::emit(output::render_list(self.output, items)?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        pop: PopArgs,
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn endpoints_are_urls() {
        assert!(parse_endpoint("http://10.0.0.1:60000").is_ok());
        assert!(parse_endpoint("10.0.0.1:60000").is_err());
    }

    #[test]
    fn auth_splits_at_the_first_colon() {
        let auth = parse_auth("admin:se:cret").unwrap();
        assert_eq!((auth.username.as_str(), auth.password.as_str()), ("admin", "se:cret"));
        assert!(parse_auth("admin").is_err());
        assert!(parse_auth(":pw").is_err());
        assert!(!format!("{auth:?}").contains("se:cret"));
    }

    #[test]
    fn network_update_needs_a_change() {
        assert!(Cli::try_parse_from(["pop", "network", "update", "n"]).is_err());
        assert!(Cli::try_parse_from(["pop", "network", "update", "n", "--mtu", "1400"]).is_ok());
    }

    #[test]
    fn global_flags_go_after_the_subcommand_too() {
        let cli = Cli::try_parse_from([
            "pop",
            "stop",
            "web",
            "--timeout",
            "3",
            "--output",
            "json",
            "--auth",
            "a:b",
        ])
        .unwrap();
        assert_eq!(cli.pop.timeout, Some(3));
        assert_eq!(cli.pop.output, Format::Json);
    }
}
