//! `ns ls`: the network services.

use clap::Args;

use super::Remote;

/// List the network services.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns ls --output table")]
pub struct LsArgs {}

pub async fn run(remote: &Remote, _args: LsArgs) -> anyhow::Result<()> {
    remote.print_list(&remote.client.ns_instances().await?)
}
