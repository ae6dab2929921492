//! `ns onboard`: add an NSD to the catalogue.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Remote;

/// Onboard an NSD written in Open Baton's JSON; prints it as onboarded, and, on stderr, the
/// fields Archipel accepts but does not act on (lifecycle scripts, scaling policies, ...).
#[derive(Debug, Args)]
#[command(after_help = "\
A refused NSD prints the place of the fault, e.g.
  error: invalid NSD (400): vnfd[0].vdu[0].vm_image: must not be empty

Example:
  archipel ns onboard examples/sipp/nsd.json")]
pub struct OnboardArgs {
    /// The NSD file; - reads standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub async fn run(remote: &Remote, args: OnboardArgs) -> anyhow::Result<()> {
    let content = if args.file.as_os_str() == "-" {
        let mut buffer = Vec::new();
        std::io::stdin().read_to_end(&mut buffer).context("reading the NSD from stdin")?;
        buffer
    } else {
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?
    };
    let nsd = remote.client.onboard_nsd(content).await?;
    for warning in &nsd.warnings {
        eprintln!("warning: {}: {}", warning.path, warning.message);
    }
    remote.print_one(&nsd)
}
