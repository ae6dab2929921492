//! `archipel container-enter --pid PID [--cgroup-procs FILE]… --workdir DIR [--user UID:GID] --
//! ARGV…` (hidden): runs a command inside a running native container (Exec; see
//! `archipel_pop::runtime::native::isolate`).

use std::path::PathBuf;

use archipel_pop::runtime::native::{container_enter, EnterArgs};
use clap::Args;

#[derive(Debug, Args)]
pub struct ContainerEnterArgs {
    /// The workload's outermost process, whose namespaces the command joins.
    #[arg(long)]
    pid: u32,
    /// A `cgroup.procs` file of the workload's cgroups (one per controller on cgroup v1).
    #[arg(long)]
    cgroup_procs: Vec<PathBuf>,
    /// The working directory, inside the container.
    #[arg(long)]
    workdir: PathBuf,
    /// The user and group to run as, by number.
    #[arg(long, value_parser = user)]
    user: Option<(u32, u32)>,
    /// The command.
    #[arg(last = true, required = true)]
    argv: Vec<String>,
}

/// The command's exit code; 125-127 and the error on stderr when it could not be run.
pub fn run(args: ContainerEnterArgs) -> u8 {
    let args = EnterArgs {
        pid: args.pid,
        cgroup_procs: args.cgroup_procs,
        workdir: args.workdir,
        user: args.user,
        argv: args.argv,
    };
    match container_enter(&args) {
        Ok(code) => u8::try_from(code & 0xff).unwrap_or(1),
        Err(error) => {
            eprintln!("archipel container-enter: {}", archipel_pop::error::chain(&error));
            u8::try_from(error.code()).unwrap_or(1)
        }
    }
}

/// `UID:GID`, by number.
pub fn user(text: &str) -> Result<(u32, u32), String> {
    let parsed = text.split_once(':').and_then(|(u, g)| Some((u.parse().ok()?, g.parse().ok()?)));
    parsed.ok_or_else(|| format!("{text:?} is not UID:GID (numbers)"))
}
