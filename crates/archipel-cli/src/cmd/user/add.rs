//! `user add`: add a user.

use archipel_nfvo::api::dto::UserRequest;
use clap::Args;

use super::{Remote, RoleArg};
use crate::prompt;

/// Add a user with a role; asks for the new user's password on the terminal (or reads it from
/// standard input with --password-stdin).
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel user add alice --role operator")]
pub struct AddArgs {
    /// Letters, digits, '-', '_', '.', '@'.
    #[arg(value_name = "NAME")]
    name: String,
    #[arg(long, value_enum)]
    role: RoleArg,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(remote: &Remote, args: AddArgs) -> anyhow::Result<()> {
    let prompt = format!("password for new user {}: ", args.name);
    let password = prompt::password(&prompt, args.password_stdin)?;
    let request = UserRequest { username: args.name, password, role: args.role.into() };
    let user = remote.client.add_user(&request).await?;
    remote.print_one(&user)
}
