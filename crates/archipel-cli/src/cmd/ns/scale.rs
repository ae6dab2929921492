//! `ns scale`: scale one VNF out or in.

use archipel_nfvo::api::dto::ScaleNsRequest;
use clap::Args;

use super::Remote;

/// Scale a VNF to N VNFC instances, within its scale_in_out. New instances go to --site (default:
/// the site the VNF was placed on), and the VNF's virtual links are extended to that site.
/// Scaling in removes the newest instances; a site left with none leaves the extension. Prints
/// the operation, or with --wait the network service once it has completed.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  archipel ns scale 1a2b3c4d sipp-client --to 3 --wait
  archipel ns scale 1a2b3c4d sipp-client --to 2 --site c --wait")]
pub struct ScaleArgs {
    /// The network service's id, a unique prefix of it, or its name.
    #[arg(value_name = "ID")]
    ns: String,
    /// The VNF (its VNFD name).
    #[arg(value_name = "VNF")]
    vnf: String,
    /// How many VNFC instances it should have.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    to: u32,
    /// The site new instances go to (a registered site with an inter-site agent, when the VNF's
    /// virtual links must reach it from another site).
    #[arg(long, value_name = "SITE")]
    site: Option<String>,
    /// Follow the operation to its end.
    #[arg(long)]
    wait: bool,
}

pub async fn run(remote: &Remote, args: ScaleArgs) -> anyhow::Result<()> {
    let id = remote.ns_id(&args.ns).await?;
    let request = ScaleNsRequest {
        vnf_name: Some(args.vnf),
        number_of_instances: Some(args.to),
        vim_id: args.site,
        ..Default::default()
    };
    let op = remote.client.scale(&id, &request).await?;
    if !args.wait {
        return remote.print_one(&op);
    }
    remote.follow(&op).await?;
    remote.print_one(&remote.client.ns_instance(&id).await?)
}
