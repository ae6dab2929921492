//! `archipel intersite rm ID`: remove a service at every site (ask its master).

use clap::Args;

use super::Context;

/// Remove an inter-site service everywhere.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The service's global id.
    id: String,
}

pub async fn run(ctx: &Context, args: RmArgs) -> anyhow::Result<()> {
    ctx.client.delete(&args.id).await?;
    println!("{}", args.id);
    Ok(())
}
