//! `archipel intersite show ID`: one service with its parameters.

use clap::Args;

use super::view::ServiceView;
use super::Context;

/// Show one inter-site service.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The service's global id.
    id: String,
}

pub async fn run(ctx: &Context, args: ShowArgs) -> anyhow::Result<()> {
    ctx.print_one(&ServiceView(ctx.client.get(&args.id).await?))
}
