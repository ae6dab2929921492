//! `user rm`: remove users.

use clap::Args;
use serde::Serialize;

use super::Remote;
use crate::output::Tabular;

/// Remove users with their tokens and API keys (never the last admin); prints the names removed.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel user rm alice")]
pub struct RmArgs {
    #[arg(value_name = "NAME", required = true)]
    users: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Removed {
    username: String,
}

impl Tabular for Removed {
    const HEADERS: &'static [&'static str] = &["REMOVED"];
    fn row(&self) -> Vec<String> {
        vec![self.username.clone()]
    }
}

pub async fn run(remote: &Remote, args: RmArgs) -> anyhow::Result<()> {
    let mut removed = Vec::new();
    for username in args.users {
        remote.client.remove_user(&username).await?;
        removed.push(Removed { username });
    }
    remote.print_list(&removed)
}
