//! `site rm`: forget sites.

use clap::Args;
use serde::Serialize;

use super::Remote;
use crate::output::Tabular;

/// Forget sites where no network service holds anything; prints the names removed.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel site rm site-a")]
pub struct RmArgs {
    /// Site names.
    #[arg(value_name = "NAME", required = true)]
    sites: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Removed {
    name: String,
}

impl Tabular for Removed {
    const HEADERS: &'static [&'static str] = &["REMOVED"];
    fn row(&self) -> Vec<String> {
        vec![self.name.clone()]
    }
}

pub async fn run(remote: &Remote, args: RmArgs) -> anyhow::Result<()> {
    let mut removed = Vec::new();
    for name in args.sites {
        remote.client.remove_site(&name).await?;
        removed.push(Removed { name });
    }
    remote.print_list(&removed)
}
