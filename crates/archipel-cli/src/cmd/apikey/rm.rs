//! `apikey rm`: revoke API keys.

use clap::Args;
use serde::Serialize;

use super::Remote;
use crate::output::Tabular;

/// Revoke API keys by id; prints the ids revoked.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel apikey rm 2f1c…")]
pub struct RmArgs {
    #[arg(value_name = "ID", required = true)]
    ids: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Revoked {
    id: String,
}

impl Tabular for Revoked {
    const HEADERS: &'static [&'static str] = &["REVOKED"];
    fn row(&self) -> Vec<String> {
        vec![self.id.clone()]
    }
}

pub async fn run(remote: &Remote, args: RmArgs) -> anyhow::Result<()> {
    let mut revoked = Vec::new();
    for id in args.ids {
        remote.client.revoke_api_key(&id).await?;
        revoked.push(Revoked { id });
    }
    remote.print_list(&revoked)
}
