//! `archipel container-init --root DIR --workdir DIR [--user UID:GID] -- ARGV…` (hidden): the
//! last step of a native container's start, run by its supervisor (see
//! `archipel_pop::runtime::native::isolate`).

use std::path::PathBuf;

use archipel_pop::runtime::native::{container_init, InitArgs};
use clap::Args;

#[derive(Debug, Args)]
pub struct ContainerInitArgs {
    /// The container's root, already mounted; it becomes `/`.
    #[arg(long)]
    root: PathBuf,
    /// The working directory, inside the root.
    #[arg(long)]
    workdir: PathBuf,
    /// The user and group to run as, by number.
    #[arg(long, value_parser = super::container_enter::user)]
    user: Option<(u32, u32)>,
    /// The workload's command.
    #[arg(last = true, required = true)]
    argv: Vec<String>,
}

/// Returns only on failure: the code a shell would give, the error on stderr (the workload's log).
pub fn run(args: ContainerInitArgs) -> u8 {
    let args =
        InitArgs { root: args.root, workdir: args.workdir, user: args.user, argv: args.argv };
    let error = container_init(&args);
    eprintln!("archipel container-init: {}", archipel_pop::error::chain(&error));
    u8::try_from(error.code()).unwrap_or(1)
}
