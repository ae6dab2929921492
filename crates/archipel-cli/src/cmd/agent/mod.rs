//! `archipel agent`: run the inter-site agent of one site, or act on a running one.

use clap::{Args, Subcommand};

mod daemon;
mod rotate_key;

pub use daemon::AgentArgs;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AgentCli {
    #[command(subcommand)]
    command: Option<AgentCommand>,
    #[command(flatten)]
    daemon: AgentArgs,
}

#[derive(Debug, Subcommand)]
enum AgentCommand {
    /// Give a site a new WireGuard key pair; its peers take the new public key at once.
    RotateKey(rotate_key::RotateKeyArgs),
}

pub async fn run(cli: AgentCli) -> anyhow::Result<()> {
    match cli.command {
        Some(AgentCommand::RotateKey(args)) => rotate_key::run(args).await,
        None => daemon::run(cli.daemon).await,
    }
}
