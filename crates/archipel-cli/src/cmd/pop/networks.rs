//! `pop networks`: the networks of the PoP.

use archipel_pop_client::Filter;
use clap::Args;

use super::network_view::NetworkView;
use super::Context;

/// List the networks, or the one named, with their bridge and namespace.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop networks --output table")]
pub struct NetworksArgs {
    /// A network name, or an id (tried when no network has that name).
    #[arg(value_name = "NAME|ID")]
    network: Option<String>,
}

pub async fn run(ctx: &Context, args: NetworksArgs) -> anyhow::Result<()> {
    let filter = args.network.map_or_else(Filter::any, Filter::name_or_id);
    let networks = ctx.client()?.networks(&filter).await?;
    let views: Vec<_> = networks.iter().map(NetworkView::from).collect();
    ctx.print_list(&views)
}
