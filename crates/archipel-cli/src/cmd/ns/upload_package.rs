//! `ns upload-package`: add a VNF package (its lifecycle scripts) to the NFVO.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Remote;

/// Upload an Open Baton VNF package: a plain tar holding `Metadata.yaml` (with the package's
/// `name`), `vnfd.json` and a `scripts/` folder. Prints the package; a VNFD names its id in
/// `vnfPackageLocation` to have its lifecycle events' scripts run in its VNFCs.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  tar -cf iperf-client.tar Metadata.yaml vnfd.json scripts/
  archipel ns upload-package iperf-client.tar --output json")]
pub struct UploadPackageArgs {
    /// The package's tar.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub async fn run(remote: &Remote, args: UploadPackageArgs) -> anyhow::Result<()> {
    let content =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    remote.print_one(&remote.client.upload_package(content).await?)
}
