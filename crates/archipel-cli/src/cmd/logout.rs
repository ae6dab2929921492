//! `archipel logout`: end the session and forget the token.

use clap::Args;

use crate::cmd::ns::remote::{Remote, RemoteArgs};
use crate::credentials;

/// Log out of the NFVO: it forgets the token, and so does this machine.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel logout")]
pub struct LogoutArgs {
    #[command(flatten)]
    remote: RemoteArgs,
}

pub async fn run(args: LogoutArgs) -> anyhow::Result<()> {
    let remote = Remote::new(args.remote)?;
    let Some(entry) = credentials::forget(&remote.endpoint)? else {
        eprintln!("not logged in to {}", remote.endpoint);
        return Ok(());
    };
    let client = archipel_nfvo::client::NfvoClient::new(&remote.endpoint)?.with_token(entry.token);
    // A token the NFVO no longer knows is as good as logged out.
    match client.logout().await {
        Ok(()) | Err(archipel_nfvo::client::ClientError::Unauthorized(_)) => {}
        Err(err) => return Err(err.into()),
    }
    eprintln!("logged out of {}", remote.endpoint);
    Ok(())
}
