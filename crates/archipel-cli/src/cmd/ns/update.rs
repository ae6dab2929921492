//! `ns update`: change a VNF's configuration in a running network service.

use std::collections::BTreeMap;

use anyhow::bail;
use archipel_nfvo::api::dto::{ModifyVnfInfoData, UpdateNsRequest, UpdateType};
use clap::Args;

use super::Remote;

/// Change the configuration of a VNF of a running network service (SOL005's
/// MODIFY_VNF_INFORMATION): each KEY=VALUE is set, each --unset KEY given back to the
/// descriptor's value. Its VNFC instances, and those of the VNFs that take a changed parameter,
/// are re-created with the new environment (same names and addresses); the others keep running.
/// Prints the operation, or with --wait the network service once it has completed.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns update 1a2b3c4d db --set port=6543 --wait\n  \
                        archipel ns update 1a2b3c4d db --unset port")]
pub struct UpdateArgs {
    /// The network service's id, a unique prefix of it, or its name.
    #[arg(value_name = "ID")]
    ns: String,
    /// The VNF to change (its VNFD name).
    #[arg(value_name = "VNF")]
    vnf: String,
    /// A configuration key and its new value; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// A key to give back to the descriptor's value; repeatable.
    #[arg(long = "unset", value_name = "KEY")]
    unset: Vec<String>,
    /// Follow the operation to its end.
    #[arg(long)]
    wait: bool,
}

pub async fn run(remote: &Remote, args: UpdateArgs) -> anyhow::Result<()> {
    let mut metadata = BTreeMap::new();
    for pair in &args.set {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("--set {pair}: write KEY=VALUE");
        };
        metadata.insert(key.to_owned(), Some(value.to_owned()));
    }
    for key in args.unset {
        metadata.insert(key, None);
    }
    if metadata.is_empty() {
        bail!("nothing to change: give --set KEY=VALUE or --unset KEY");
    }
    let id = remote.ns_id(&args.ns).await?;
    let data = ModifyVnfInfoData { vnf_instance_id: args.vnf, metadata };
    let request = UpdateNsRequest {
        update_type: UpdateType::ModifyVnfInformation,
        modify_vnf_info_data: vec![data],
    };
    let op = remote.client.update(&id, &request).await?;
    if !args.wait {
        return remote.print_one(&op);
    }
    remote.follow(&op).await?;
    remote.print_one(&remote.client.ns_instance(&id).await?)
}
