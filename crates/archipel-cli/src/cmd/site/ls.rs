//! `site ls`: the sites and whether they answer.

use clap::Args;

use super::Remote;

/// List the sites; each popd is asked for Info now, so the list shows which answer.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel site ls --output table")]
pub struct LsArgs {}

pub async fn run(remote: &Remote, _args: LsArgs) -> anyhow::Result<()> {
    remote.print_list(&remote.client.sites().await?)
}
