//! `pop start`: run a CREATED container with its metadata as environment.

use archipel_pop_client::Filter;
use clap::Args;

use super::container_view::ContainerView;
use super::Context;

/// Start a CREATED container: its metadata becomes the workload's environment.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop start web")]
pub struct StartArgs {
    /// A container name, or an id (tried when no container has that name).
    #[arg(value_name = "NAME|ID")]
    container: String,
}

pub async fn run(ctx: &Context, args: StartArgs) -> anyhow::Result<()> {
    let started = ctx.client()?.start(&Filter::name_or_id(args.container)).await?;
    ctx.print_one(&ContainerView::from(&started))
}
