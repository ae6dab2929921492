//! `archipel login`: log in to the NFVO and keep the token for the next commands.

use clap::Args;

use crate::cmd::ns::remote::{Remote, RemoteArgs};
use crate::{credentials, prompt};

/// Log in to the NFVO: asks for the password on the terminal (or reads it from standard input
/// with --password-stdin) and keeps the token in the user's config directory (mode 0600), for
/// this NFVO only. ARCHIPEL_TOKEN, when set, is sent instead.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  archipel login --user admin
  printf '%s\\n' \"$PASSWORD\" | archipel login --user ci --password-stdin")]
pub struct LoginArgs {
    #[command(flatten)]
    remote: RemoteArgs,
    /// Who to log in as.
    #[arg(long, short = 'u', env = "ARCHIPEL_USER", value_name = "NAME")]
    user: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(args: LoginArgs) -> anyhow::Result<()> {
    let remote = Remote::anonymous(args.remote)?;
    let password = prompt::password(&format!("password for {}: ", args.user), args.password_stdin)?;
    let login = remote.client.login(&args.user, &password).await?;
    let entry = credentials::Entry {
        token: login.token,
        username: login.username.clone(),
        expires_at: login.expires_at.clone(),
    };
    let path = credentials::store(&remote.endpoint, entry)?;
    eprintln!(
        "logged in to {} as {} ({}) until {}; token kept in {}",
        remote.endpoint,
        login.username,
        serde_json::to_value(login.role)?.as_str().unwrap_or_default(),
        login.expires_at,
        path.display()
    );
    Ok(())
}
