//! `pop flavours`: the flavours a container can be created with (`flavour=NAME`): the thesis's
//! `docker.container` (no limit) and those popd defines (`popd --flavour`).

use archipel_pop_client::Filter;
use clap::Args;

use super::catalogue_view::FlavourView;
use super::Context;

/// List the flavours.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop flavours")]
pub struct FlavoursArgs {}

pub async fn run(ctx: &Context, _args: FlavoursArgs) -> anyhow::Result<()> {
    let flavours = ctx.client()?.flavours(&Filter::any()).await?;
    let views: Vec<_> = flavours.iter().map(FlavourView::from).collect();
    ctx.print_list(&views)
}
