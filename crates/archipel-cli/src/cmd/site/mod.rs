//! `archipel site`: the sites the NFVO places VNFs on, one file per subcommand.

use clap::{Args, Subcommand};

use crate::cmd::ns::remote::{Remote, RemoteArgs};

mod add;
mod ls;
mod rm;
mod view;

#[derive(Debug, Args)]
#[command(after_help = "\
The NFVO is found through --endpoint or ARCHIPEL_ENDPOINT, with the token of `archipel login`
(or ARCHIPEL_TOKEN); adding and removing sites needs an admin. Results print as YAML unless
--output says otherwise.

Example:
  export ARCHIPEL_ENDPOINT=http://127.0.0.1:8080 POP_AUTH=admin:secret
  archipel login --user admin
  archipel site add site-a --pop http://127.0.0.1:60000
  archipel site ls --output table")]
pub struct SiteArgs {
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(subcommand)]
    command: SiteCommand,
}

#[derive(Debug, Subcommand)]
enum SiteCommand {
    Add(add::AddArgs),
    Ls(ls::LsArgs),
    Rm(rm::RmArgs),
}

pub async fn run(args: SiteArgs) -> anyhow::Result<()> {
    let remote = Remote::new(args.remote)?;
    match args.command {
        SiteCommand::Add(args) => add::run(&remote, args).await,
        SiteCommand::Ls(args) => ls::run(&remote, args).await,
        SiteCommand::Rm(args) => rm::run(&remote, args).await,
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        site: SiteArgs,
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn add_takes_the_pop_and_credentials() {
        let cli = Cli::try_parse_from([
            "site",
            "add",
            "a",
            "--pop",
            "http://127.0.0.1:60000",
            "--auth",
            "admin:se:cret",
            "--agent",
            "http://127.0.0.1:7000",
        ])
        .unwrap();
        let SiteCommand::Add(add) = cli.site.command else { panic!("not add") };
        let request = add.request().unwrap();
        assert_eq!((request.username.as_str(), request.password.as_str()), ("admin", "se:cret"));
        assert_eq!(request.agent_endpoint.as_deref(), Some("http://127.0.0.1:7000"));
        assert!(Cli::try_parse_from(["site", "add", "a"]).is_err());
        assert!(
            Cli::try_parse_from(["site", "add", "a", "--pop", "x", "--auth", "nocolon"]).is_err()
        );
    }
}
