//! `pop images`: what popd can start.

use archipel_pop_client::Filter;
use clap::Args;

use super::catalogue_view::ImageView;
use super::Context;

/// List the images, or the one named.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop images
  archipel pop images nginx:latest")]
pub struct ImagesArgs {
    /// An image name, or an id (tried when no image has that name).
    #[arg(value_name = "NAME|ID")]
    image: Option<String>,
}

pub async fn run(ctx: &Context, args: ImagesArgs) -> anyhow::Result<()> {
    let filter = args.image.map_or_else(Filter::any, Filter::name_or_id);
    let images = ctx.client()?.images(&filter).await?;
    let views: Vec<_> = images.iter().map(ImageView::from).collect();
    ctx.print_list(&views)
}
