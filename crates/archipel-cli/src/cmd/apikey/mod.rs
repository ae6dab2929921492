//! `archipel apikey`: API keys for automation, one file per subcommand.

use clap::{Args, Subcommand};

use crate::cmd::ns::remote::{Remote, RemoteArgs};

mod create;
mod ls;
mod rm;
mod view;

#[derive(Debug, Args)]
#[command(after_help = "\
An API key acts as one user with a role no higher than that user's and its creator's; send it
as ARCHIPEL_TOKEN. Every user manages their own keys; an admin manages everyone's.

Example:
  archipel apikey create ci --role operator
  ARCHIPEL_TOKEN=archipel-ak-... archipel ns ls")]
pub struct ApikeyArgs {
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(subcommand)]
    command: ApikeyCommand,
}

#[derive(Debug, Subcommand)]
enum ApikeyCommand {
    Create(create::CreateArgs),
    Ls(ls::LsArgs),
    Rm(rm::RmArgs),
}

pub async fn run(args: ApikeyArgs) -> anyhow::Result<()> {
    let remote = Remote::new(args.remote)?;
    match args.command {
        ApikeyCommand::Create(args) => create::run(&remote, args).await,
        ApikeyCommand::Ls(args) => ls::run(&remote, args).await,
        ApikeyCommand::Rm(args) => rm::run(&remote, args).await,
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        apikey: ApikeyArgs,
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        assert!(Cli::try_parse_from(["apikey", "create", "ci", "--role", "reader"]).is_ok());
        assert!(Cli::try_parse_from(["apikey", "rm"]).is_err());
    }
}
