//! `archipel ns`: network services through the NFVO's REST API, one file per subcommand.

use clap::{Args, Subcommand};

mod ack;
mod alarms;
mod events;
mod heal;
mod launch;
mod ls;
mod nsds;
mod onboard;
mod ops;
mod packages;
pub mod remote;
mod rm;
mod rm_package;
mod scale;
mod show;
mod terminate;
mod update;
mod upload_package;
mod views;

use remote::{Remote, RemoteArgs};

#[derive(Debug, Args)]
#[command(after_help = "\
The NFVO is found through --endpoint or ARCHIPEL_ENDPOINT, with the token of `archipel login`
(or ARCHIPEL_TOKEN). Results print as YAML unless --output says otherwise; YAML and JSON are
what the REST API answers.

Example:
  archipel login --user admin
  archipel ns onboard examples/sipp/nsd.json
  archipel ns launch docker-test-NS-sipp --wait
  archipel ns ls --output table")]
pub struct NsArgs {
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(subcommand)]
    command: NsCommand,
}

#[derive(Debug, Subcommand)]
enum NsCommand {
    Onboard(onboard::OnboardArgs),
    Nsds(nsds::NsdsArgs),
    Launch(launch::LaunchArgs),
    Ls(ls::LsArgs),
    Show(show::ShowArgs),
    Scale(scale::ScaleArgs),
    Heal(heal::HealArgs),
    Update(update::UpdateArgs),
    Terminate(terminate::TerminateArgs),
    Rm(rm::RmArgs),
    Ops(ops::OpsArgs),
    Events(events::EventsArgs),
    Alarms(alarms::AlarmsArgs),
    Ack(ack::AckArgs),
    UploadPackage(upload_package::UploadPackageArgs),
    Packages(packages::PackagesArgs),
    RmPackage(rm_package::RmPackageArgs),
}

pub async fn run(args: NsArgs) -> anyhow::Result<()> {
    let remote = Remote::new(args.remote)?;
    match args.command {
        NsCommand::Onboard(args) => onboard::run(&remote, args).await,
        NsCommand::Nsds(args) => nsds::run(&remote, args).await,
        NsCommand::Launch(args) => launch::run(&remote, args).await,
        NsCommand::Ls(args) => ls::run(&remote, args).await,
        NsCommand::Show(args) => show::run(&remote, args).await,
        NsCommand::Scale(args) => scale::run(&remote, args).await,
        NsCommand::Heal(args) => heal::run(&remote, args).await,
        NsCommand::Update(args) => update::run(&remote, args).await,
        NsCommand::Terminate(args) => terminate::run(&remote, args).await,
        NsCommand::Rm(args) => rm::run(&remote, args).await,
        NsCommand::Ops(args) => ops::run(&remote, args).await,
        NsCommand::Events(args) => events::run(&remote, args).await,
        NsCommand::Alarms(args) => alarms::run(&remote, args).await,
        NsCommand::Ack(args) => ack::run(&remote, args).await,
        NsCommand::UploadPackage(args) => upload_package::run(&remote, args).await,
        NsCommand::Packages(args) => packages::run(&remote, args).await,
        NsCommand::RmPackage(args) => rm_package::run(&remote, args).await,
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::output::Format;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        ns: NsArgs,
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn launch_takes_placements_and_global_flags_anywhere() {
        let cli = Cli::try_parse_from([
            "ns",
            "launch",
            "sipp",
            "--place",
            "sipp-client=a",
            "--place",
            "sipp-server=b",
            "--wait",
            "-o",
            "json",
            "--endpoint",
            "http://127.0.0.1:9",
        ])
        .unwrap();
        assert_eq!(cli.ns.remote.output, Format::Json);
        assert_eq!(cli.ns.remote.endpoint, "http://127.0.0.1:9");
        let NsCommand::Launch(launch) = cli.ns.command else { panic!("not launch") };
        assert_eq!(launch.placement().unwrap().len(), 2);
        assert!(Cli::try_parse_from(["ns", "launch", "x", "--place", "novalue"]).is_err());
        assert!(Cli::try_parse_from(["ns", "scale", "id", "vnf", "--to", "0"]).is_err());
        assert!(Cli::try_parse_from(["ns", "scale", "id", "vnf"]).is_err());
        assert!(Cli::try_parse_from(["ns", "ls", "--endpoint", "nope"]).is_err());
    }
}
