//! `pop create`: a container with its addresses reserved; nothing runs yet.

use archipel_pop_client::pb;
use clap::Args;

use super::container_view::ContainerView;
use super::{words, Context};
use crate::usage::UsageError;

/// Create a container: reserve its addresses, run nothing (status CREATED).
#[derive(Debug, Args)]
#[command(after_help = "\
WORDS: image=IMAGE (required), name=NAME, flavour=FLAVOUR, and for each network net=NET
optionally followed by ip=ADDR. An ip= before any net= is an address on the network `private`.
Without net=, popd puts the container on its default network.

Example:
  archipel pop create image=nginx:latest name=web net=private ip=172.16.0.10")]
pub struct CreateArgs {
    /// KEY=VALUE words.
    #[arg(value_name = "WORDS", required = true)]
    pub words: Vec<String>,
}

/// Creates the container the words describe.
pub async fn create(ctx: &Context, words: &[String]) -> anyhow::Result<pb::Container> {
    let config = words::parse(words).map_err(UsageError::from)?;
    Ok(ctx.client()?.create(config).await?)
}

pub async fn run(ctx: &Context, args: CreateArgs) -> anyhow::Result<()> {
    let created = create(ctx, &args.words).await?;
    ctx.print_one(&ContainerView::from(&created))
}
