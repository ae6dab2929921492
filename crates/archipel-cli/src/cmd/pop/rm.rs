//! `pop rm`: delete containers.

use archipel_pop_client::Filter;
use clap::Args;

use super::catalogue_view::Removed;
use super::Context;

/// Delete containers, stopping them if needed; prints the names removed.
#[derive(Debug, Args)]
#[command(after_help = "\
Containers are removed in the order given; the first failure stops the command.

Example:
  archipel pop rm web db")]
pub struct RmArgs {
    /// Container names, or ids (tried when no container has that name).
    #[arg(value_name = "NAME|ID", required = true)]
    containers: Vec<String>,
}

pub async fn run(ctx: &Context, args: RmArgs) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let mut removed = Vec::new();
    for container in args.containers {
        client.delete(&Filter::name_or_id(&container)).await?;
        removed.push(Removed(container));
    }
    ctx.print_list(&removed)
}
