//! `ns rm-package`: delete VNF packages.

use clap::Args;

use super::Remote;

/// Delete VNF packages that no onboarded NSD names; an ENABLED one is disabled first.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns rm-package 1a2b3c4d5e6f")]
pub struct RmPackageArgs {
    /// Package ids.
    #[arg(value_name = "ID", required = true)]
    ids: Vec<String>,
}

pub async fn run(remote: &Remote, args: RmPackageArgs) -> anyhow::Result<()> {
    for id in &args.ids {
        // One in use is not disabled: the delete is refused, naming the NSD that uses it.
        let package = remote.client.package(id).await?;
        if package.usage_state == "NOT_IN_USE" && package.operational_state == "ENABLED" {
            remote.client.disable_package(id).await?;
            eprintln!("disabled VNF package {id}");
        }
        remote.client.delete_package(id).await?;
        eprintln!("deleted VNF package {id}");
    }
    Ok(())
}
