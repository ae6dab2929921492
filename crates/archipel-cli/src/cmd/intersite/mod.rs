//! `archipel intersite`: drive an inter-site agent's North interface, one file per subcommand.

use std::time::Duration;

use archipel_agent::{NorthClient, NORTH_TIMEOUT};
use clap::{Args, Subcommand};

use crate::cmd::tls::CaArgs;
use crate::output::{self, Format, Tabular};

mod create;
mod ls;
mod rm;
mod show;
mod update;
mod view;

#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  export ARCHIPEL_AGENT=http://127.0.0.1:7000 ARCHIPEL_AGENT_TOKEN=…
  archipel intersite create --type l2 --name ext --resource a:net --resource b:net
  archipel intersite update a-1f2e3d4c --resource a:net --resource b:net --resource c:net
  archipel intersite ls")]
pub struct IntersiteArgs {
    #[command(flatten)]
    north: NorthArgs,
    /// How results are printed.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t)]
    output: Format,
    #[command(subcommand)]
    command: IntersiteCommand,
}

/// How a client reaches an agent's North interface (also `agent rotate-key`'s).
#[derive(Debug, Args)]
pub struct NorthArgs {
    /// The agent to talk to: the master of the services it creates.
    #[arg(
        long,
        global = true,
        env = "ARCHIPEL_AGENT",
        value_name = "URL",
        default_value = "http://127.0.0.1:7000"
    )]
    agent: String,
    /// The agent's North bearer token.
    #[arg(
        long,
        global = true,
        env = "ARCHIPEL_AGENT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        default_value = ""
    )]
    token: String,
    /// The deadline of each call, in seconds.
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout: Option<u64>,
    #[command(flatten)]
    ca: CaArgs,
}

impl NorthArgs {
    pub fn client(self) -> anyhow::Result<NorthClient> {
        let timeout = self.timeout.map_or(NORTH_TIMEOUT, Duration::from_secs);
        let tls = self.ca.client(&[&self.agent])?.map(|tls| tls.config);
        Ok(NorthClient::with_tls(self.agent, self.token, timeout, tls))
    }
}

#[derive(Debug, Subcommand)]
enum IntersiteCommand {
    Create(create::CreateArgs),
    Ls(ls::LsArgs),
    Show(show::ShowArgs),
    Update(update::UpdateArgs),
    Rm(rm::RmArgs),
}

/// What every subcommand needs: the client and how to print.
#[derive(Debug)]
pub struct Context {
    client: NorthClient,
    output: Format,
}

impl Context {
    pub fn print_one<T: Tabular>(&self, item: &T) -> anyhow::Result<()> {
        output::emit(output::render_one(self.output, item)?)?;
        Ok(())
    }

    pub fn print_list<T: Tabular>(&self, items: &[T]) -> anyhow::Result<()> {
        output::emit(output::render_list(self.output, items)?)?;
        Ok(())
    }
}

pub async fn run(args: IntersiteArgs) -> anyhow::Result<()> {
    let client = args.north.client()?;
    let ctx = Context { client, output: args.output };
    match args.command {
        IntersiteCommand::Create(args) => create::run(&ctx, args).await,
        IntersiteCommand::Ls(args) => ls::run(&ctx, args).await,
        IntersiteCommand::Show(args) => show::run(&ctx, args).await,
        IntersiteCommand::Update(args) => update::run(&ctx, args).await,
        IntersiteCommand::Rm(args) => rm::run(&ctx, args).await,
    }
}
