//! `ns heal`: re-create the failed VNFC instances of a network service.

use archipel_nfvo::api::dto::HealNsRequest;
use clap::Args;

use super::Remote;

/// Heal a network service: each failed VNFC instance (or each one named) is re-created on its
/// site with its name, its addresses and its metadata, and started; the others keep running.
/// Prints the operation, or with --wait the network service once it has completed.
#[derive(Debug, Args)]
#[command(after_help = "\
A VNFC instance is failed (DEGRADED) when its workload ended unexpectedly: `ns show` gives its
health and `ns alarms` the alarm raised on it.

Example:
  archipel ns heal 1a2b3c4d --wait
  archipel ns heal 1a2b3c4d --vnfc sipp-server-1a2b3c4d-0")]
pub struct HealArgs {
    /// The network service's id, a unique prefix of it, or its name.
    #[arg(value_name = "ID")]
    ns: String,
    /// Heal this VNFC instance (its container name) even if it is not failed; repeatable.
    #[arg(long = "vnfc", value_name = "NAME")]
    vnfcs: Vec<String>,
    /// Follow the operation to its end.
    #[arg(long)]
    wait: bool,
}

pub async fn run(remote: &Remote, args: HealArgs) -> anyhow::Result<()> {
    let id = remote.ns_id(&args.ns).await?;
    let request = HealNsRequest { vnfc_instance_names: args.vnfcs, heal_ns_data: None };
    let op = remote.client.heal(&id, &request).await?;
    if !args.wait {
        return remote.print_one(&op);
    }
    remote.follow(&op).await?;
    remote.print_one(&remote.client.ns_instance(&id).await?)
}
