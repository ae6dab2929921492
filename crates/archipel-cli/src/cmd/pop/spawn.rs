//! `pop spawn`: create and start, as the thesis's `pop spawn`.

use anyhow::Context as _;
use archipel_pop_client::Filter;
use clap::Args;

use super::container_view::ContainerView;
use super::{create, Context};

/// Create a container and start it at once (create + start).
#[derive(Debug, Args)]
#[command(after_help = "\
WORDS are those of `create`. If the start fails, the container stays, FAILED: remove it with rm.

Example:
  archipel pop spawn image=nginx:latest name=nginx-cont")]
pub struct SpawnArgs {
    /// KEY=VALUE words, as for create.
    #[arg(value_name = "WORDS", required = true)]
    words: Vec<String>,
}

pub async fn run(ctx: &Context, args: SpawnArgs) -> anyhow::Result<()> {
    let created = create::create(ctx, &args.words).await?;
    let name = created.names.first().cloned().unwrap_or_else(|| created.id.clone());
    let started = ctx
        .client()?
        .start(&Filter::id(&created.id))
        .await
        .with_context(|| format!("container {name} was created but did not start"))?;
    ctx.print_one(&ContainerView::from(&started))
}
