//! `ns terminate`: remove everything a network service holds at its sites.

use clap::Args;

use super::Remote;

/// Terminate a network service: its containers and networks go from every site. Prints the
/// operation, or with --wait the network service once it has completed.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns terminate 1a2b3c4d --wait")]
pub struct TerminateArgs {
    /// The network service's id, a unique prefix of it, or its name.
    #[arg(value_name = "ID")]
    ns: String,
    /// Follow the operation to its end.
    #[arg(long)]
    wait: bool,
}

pub async fn run(remote: &Remote, args: TerminateArgs) -> anyhow::Result<()> {
    let id = remote.ns_id(&args.ns).await?;
    let op = remote.client.terminate(&id).await?;
    if !args.wait {
        return remote.print_one(&op);
    }
    remote.follow(&op).await?;
    remote.print_one(&remote.client.ns_instance(&id).await?)
}
