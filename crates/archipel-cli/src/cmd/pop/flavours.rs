//! `pop flavours`: kept from the thesis, where flavours have no purpose yet.

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
