//! `apikey create`: make an API key.

use archipel_nfvo::api::dto::ApiKeyRequest;
use clap::Args;

use super::Remote;
use crate::cmd::user::RoleArg;

/// Make an API key and print it, with its secret: the only time it is shown.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel apikey create ci --role operator -o json")]
pub struct CreateArgs {
    /// What the key is for.
    #[arg(value_name = "NAME")]
    name: String,
    /// Its role (at most yours; yours by default).
    #[arg(long, value_enum)]
    role: Option<RoleArg>,
    /// The user it acts as (admins only; yourself by default).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
}

pub async fn run(remote: &Remote, args: CreateArgs) -> anyhow::Result<()> {
    let request =
        ApiKeyRequest { name: args.name, username: args.user, role: args.role.map(Into::into) };
    let key = remote.client.create_api_key(&request).await?;
    remote.print_one(&key)
}
