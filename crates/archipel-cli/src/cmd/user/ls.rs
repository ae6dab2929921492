//! `user ls`: list the users.

use clap::Args;

use super::Remote;

/// List the users and their roles.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel user ls --output table")]
pub struct LsArgs {}

pub async fn run(remote: &Remote, _args: LsArgs) -> anyhow::Result<()> {
    remote.print_list(&remote.client.users().await?)
}
