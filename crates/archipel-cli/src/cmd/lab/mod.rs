//! `archipel lab`: an N-site lab on this machine (see the `archipel-lab` crate), one file per
//! subcommand.

use std::path::PathBuf;

use clap::{Args, Subcommand};

mod down;
mod env;
mod exec;
mod restart;
mod restart_popd;
mod status;
mod up;

#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel lab up --sites 3
  eval \"$(archipel lab env a)\"
  archipel pop network create net --subnet 10.1.0.0/24
  archipel intersite create --type l2 --name ext --resource a:net --resource b:net
  archipel lab exec b -- ip addr
  archipel lab down

The daemons log to DIR/SITE/popd.log and agent.log at the level ARCHIPEL_LAB_LOG names
(a RUST_LOG filter; default: RUST_LOG, else info).")]
pub struct LabArgs {
    /// The lab's directory: its context (lab.json), the daemons' data and logs
    /// [default: /run/archipel/lab; for commands other than up, the context file named by
    /// ARCHIPEL_LAB when set]
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: LabCommand,
}

#[derive(Debug, Subcommand)]
enum LabCommand {
    Up(up::UpArgs),
    Down(down::DownArgs),
    Exec(exec::ExecArgs),
    Env(env::EnvArgs),
    RestartAgent(restart::RestartArgs),
    RestartPopd(restart_popd::RestartPopdArgs),
    Status(status::StatusArgs),
}

pub async fn run(args: LabArgs) -> anyhow::Result<()> {
    let dir = args.dir.as_deref();
    match args.command {
        LabCommand::Up(args) => up::run(dir, args).await,
        LabCommand::Down(args) => down::run(dir, args).await,
        LabCommand::Exec(args) => exec::run(dir, args),
        LabCommand::Env(args) => env::run(dir, args),
        LabCommand::RestartAgent(args) => restart::run(dir, args),
        LabCommand::RestartPopd(args) => restart_popd::run(dir, args),
        LabCommand::Status(args) => status::run(dir, args),
    }
}
