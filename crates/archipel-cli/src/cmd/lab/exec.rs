//! `lab exec`: a command in a site's namespace.

use std::path::Path;
use std::process::Command;

use anyhow::Context as _;
use archipel_lab::LabContext;
use clap::Args;

use super::env::site_env;

/// Run a command in a site's network namespace (in the host for the site on Docker, whose
/// bridges are the host's), with POP_ENDPOINT, POP_AUTH, ARCHIPEL_AGENT and
/// ARCHIPEL_AGENT_TOKEN set for that site; exits with the command's code.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel lab exec b -- ip -br addr")]
pub struct ExecArgs {
    /// The site.
    site: String,
    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<String>,
}

pub fn run(dir: Option<&Path>, args: ExecArgs) -> anyhow::Result<()> {
    let ctx = LabContext::load(&archipel_lab::context_path(dir))?;
    let site = ctx.site(&args.site)?;
    let mut command = if site.on_docker() {
        Command::new(&args.command[0])
    } else {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &site.netns]).arg(&args.command[0]);
        command
    };
    let status = command
        .args(&args.command[1..])
        .envs(site_env(&ctx, site))
        .status()
        .with_context(|| format!("cannot run {} at site {}", args.command[0], site.name))?;
    // The command's own code is the answer, not one of archipel's.
    std::process::exit(status.code().unwrap_or(1));
}
