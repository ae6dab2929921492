//! `archipel user`: the NFVO's users (for admins), one file per subcommand.

use clap::{Args, Subcommand};

use crate::cmd::ns::remote::{Remote, RemoteArgs};

mod add;
mod ls;
mod rm;
pub mod view;

#[derive(Debug, Args)]
#[command(after_help = "\
Roles: admin (users, sites, and everything below), operator (descriptors and the lifecycle of
network services, and reading), reader (reading only). Needs an admin's login.

Example:
  archipel user add alice --role operator
  archipel user ls --output table")]
pub struct UserArgs {
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    Add(add::AddArgs),
    Ls(ls::LsArgs),
    Rm(rm::RmArgs),
}

pub async fn run(args: UserArgs) -> anyhow::Result<()> {
    let remote = Remote::new(args.remote)?;
    match args.command {
        UserCommand::Add(args) => add::run(&remote, args).await,
        UserCommand::Ls(args) => ls::run(&remote, args).await,
        UserCommand::Rm(args) => rm::run(&remote, args).await,
    }
}

/// A role as the command line names it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Admin,
    Operator,
    Reader,
}

impl From<RoleArg> for archipel_nfvo::api::dto::RoleName {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Self::Admin,
            RoleArg::Operator => Self::Operator,
            RoleArg::Reader => Self::Reader,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        user: UserArgs,
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        assert!(Cli::try_parse_from(["user", "add", "alice", "--role", "operator"]).is_ok());
        assert!(Cli::try_parse_from(["user", "add", "alice", "--role", "root"]).is_err());
    }
}
