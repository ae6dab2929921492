//! `archipel intersite ls`: the services the agent's site takes part in.

use clap::Args;

use super::view::ServiceView;
use super::Context;

/// List the inter-site services of the agent's site.
#[derive(Debug, Args)]
pub struct LsArgs {}

pub async fn run(ctx: &Context, _args: LsArgs) -> anyhow::Result<()> {
    let list: Vec<ServiceView> = ctx.client.list().await?.into_iter().map(ServiceView).collect();
    ctx.print_list(&list)
}
