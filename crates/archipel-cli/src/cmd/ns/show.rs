//! `ns show`: one network service with its VNF records and VNFC instances.

use clap::Args;

use super::Remote;

/// Show a network service: status, VNFs, VNFC instances with their addresses and metadata,
/// networks, and the last failure.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns show 1a2b3c4d")]
pub struct ShowArgs {
    /// The network service's id, a unique prefix of it, or its name.
    #[arg(value_name = "ID")]
    ns: String,
}

pub async fn run(remote: &Remote, args: ShowArgs) -> anyhow::Result<()> {
    let id = remote.ns_id(&args.ns).await?;
    remote.print_one(&remote.client.ns_instance(&id).await?)
}
