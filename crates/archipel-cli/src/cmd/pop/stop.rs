//! `pop stop`: end a container's workload.

use archipel_pop_client::Filter;
use clap::Args;

use super::container_view::ContainerView;
use super::Context;

/// Stop a running container; prints it once stopped.
#[derive(Debug, Args)]
#[command(after_help = "\
--timeout SECS is how long the workload has to end before it is killed (popd's default,
5 s, otherwise).

Example:
  archipel pop stop web --timeout 10")]
pub struct StopArgs {
    /// A container name, or an id (tried when no container has that name).
    #[arg(value_name = "NAME|ID")]
    container: String,
}

pub async fn run(ctx: &Context, args: StopArgs) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let filter = Filter::name_or_id(args.container);
    client.stop(&filter, ctx.timeout).await?;
    let stopped = client.container(&filter).await?;
    ctx.print_one(&ContainerView::from(&stopped))
}
