//! `ns ops`: lifecycle operation occurrences.

use clap::Args;

use super::Remote;

/// List the lifecycle operations (instantiate, scale, terminate) and their states, or those of
/// one network service.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns ops 1a2b3c4d --output table")]
pub struct OpsArgs {
    /// Only this network service's: its id, a unique prefix of it, or its name.
    #[arg(value_name = "ID")]
    ns: Option<String>,
}

pub async fn run(remote: &Remote, args: OpsArgs) -> anyhow::Result<()> {
    let mut ops = remote.client.op_occs().await?;
    if let Some(word) = args.ns {
        let id = remote.ns_id(&word).await?;
        ops.retain(|op| op.ns_instance_id == id);
    }
    remote.print_list(&ops)
}
