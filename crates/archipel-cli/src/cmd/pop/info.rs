//! `pop info`: whether popd answers, and what it is.

use archipel_pop_client::info_anonymous;
use clap::Args;

use super::catalogue_view::InfoView;
use super::Context;

/// Tell whether popd is alive and describe it; needs no credentials.
#[derive(Debug, Args)]
#[command(after_help = "\
With credentials (POP_AUTH or --auth) it also checks that they are valid.

Example:
  archipel pop --endpoint http://10.0.0.1:60000 info")]
pub struct InfoArgs {}

pub async fn run(ctx: &Context, _args: InfoArgs) -> anyhow::Result<()> {
    let info = match ctx.client() {
        Ok(client) => client.info().await?,
        Err(_) => info_anonymous(&ctx.endpoint, ctx.ca.as_deref(), ctx.timeout).await?,
    };
    ctx.print_one(&InfoView::from(&info))
}
