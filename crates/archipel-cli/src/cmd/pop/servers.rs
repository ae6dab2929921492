//! `pop servers`: the containers (the thesis's name, after Open Baton's servers).

use archipel_pop_client::Filter;
use clap::Args;

use super::container_view::ContainerView;
use super::Context;

/// List the containers, or the one named.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop servers
  archipel pop servers sipp-client-672086 --output table")]
pub struct ServersArgs {
    /// A container name, or an id (tried when no container has that name).
    #[arg(value_name = "NAME|ID")]
    container: Option<String>,
}

pub async fn run(ctx: &Context, args: ServersArgs) -> anyhow::Result<()> {
    let filter = args.container.map_or_else(Filter::any, Filter::name_or_id);
    let containers = ctx.client()?.containers(&filter).await?;
    let views: Vec<_> = containers.iter().map(ContainerView::from).collect();
    ctx.print_list(&views)
}
