//! `ns packages`: the VNF packages.

use clap::Args;

use super::Remote;

/// List the VNF packages.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns packages --output table")]
pub struct PackagesArgs {}

pub async fn run(remote: &Remote, _args: PackagesArgs) -> anyhow::Result<()> {
    remote.print_list(&remote.client.packages().await?)
}
