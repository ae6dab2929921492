//! `archipel agent rotate-key`: a new WireGuard key pair for a site; its peers take the new
//! public key at once, and established connections go on after one handshake.

use clap::Args;

use crate::cmd::intersite::NorthArgs;

#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  export ARCHIPEL_AGENT=https://192.0.2.1:7000 ARCHIPEL_AGENT_TOKEN=…
  archipel agent rotate-key")]
pub struct RotateKeyArgs {
    #[command(flatten)]
    north: NorthArgs,
}

pub async fn run(args: RotateKeyArgs) -> anyhow::Result<()> {
    let offer = args.north.client()?.rotate_key().await?;
    println!("public key: {}", offer.public_key);
    Ok(())
}
