//! `ns rm`: delete network-service records.

use clap::Args;
use serde::Serialize;

use super::Remote;
use crate::output::Tabular;

/// Delete network services that hold nothing at any site (never launched, terminated, or
/// failed with everything undone); prints the ids removed.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  archipel ns terminate 1a2b3c4d --wait && archipel ns rm 1a2b3c4d"
)]
pub struct RmArgs {
    /// Network-service ids, unique prefixes of them, or names.
    #[arg(value_name = "ID", required = true)]
    ns: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Removed {
    id: String,
}

impl Tabular for Removed {
    const HEADERS: &'static [&'static str] = &["REMOVED"];
    fn row(&self) -> Vec<String> {
        vec![self.id.clone()]
    }
}

pub async fn run(remote: &Remote, args: RmArgs) -> anyhow::Result<()> {
    let mut removed = Vec::new();
    for word in args.ns {
        let id = remote.ns_id(&word).await?;
        remote.client.delete_ns(&id).await?;
        removed.push(Removed { id });
    }
    remote.print_list(&removed)
}
