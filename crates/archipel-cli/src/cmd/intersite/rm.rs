//! `archipel intersite rm ID`: remove a service at every site (ask its master). Sites the
//! master cannot reach are named on stderr; they leave when it reaches them again.

use clap::Args;

use super::Context;

/// Remove an inter-site service everywhere.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The service's global id.
    id: String,
}

pub async fn run(ctx: &Context, args: RmArgs) -> anyhow::Result<()> {
    let pending = ctx.client.delete(&args.id).await?;
    println!("{}", args.id);
    if !pending.is_empty() {
        eprintln!("pending: {} (they leave when the master reaches them)", pending.join(", "));
    }
    Ok(())
}
