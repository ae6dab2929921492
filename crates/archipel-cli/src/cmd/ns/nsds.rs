//! `ns nsds`: the catalogue.

use clap::Args;

use super::Remote;

/// List the onboarded NSDs.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns nsds --output table")]
pub struct NsdsArgs {}

pub async fn run(remote: &Remote, _args: NsdsArgs) -> anyhow::Result<()> {
    remote.print_list(&remote.client.nsds().await?)
}
