//! `apikey ls`: list API keys.

use clap::Args;

use super::Remote;

/// List your API keys (everyone's for an admin), without their secrets.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel apikey ls --output table")]
pub struct LsArgs {}

pub async fn run(remote: &Remote, _args: LsArgs) -> anyhow::Result<()> {
    remote.print_list(&remote.client.api_keys().await?)
}
