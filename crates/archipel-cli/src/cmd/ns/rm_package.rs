//! `ns rm-package`: delete VNF packages.

use clap::Args;

use super::Remote;

/// Delete VNF packages that no onboarded NSD names.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns rm-package 1a2b3c4d5e6f")]
pub struct RmPackageArgs {
    /// Package ids.
    #[arg(value_name = "ID", required = true)]
    ids: Vec<String>,
}

pub async fn run(remote: &Remote, args: RmPackageArgs) -> anyhow::Result<()> {
    for id in &args.ids {
        remote.client.delete_package(id).await?;
        eprintln!("deleted VNF package {id}");
    }
    Ok(())
}
