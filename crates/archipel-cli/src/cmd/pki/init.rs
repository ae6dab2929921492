//! `pki init`: a certificate authority.

use std::path::PathBuf;

use archipel_daemon::pki;
use clap::Args;

/// Make a certificate authority in a directory: ca.pem (give it to clients as --ca) and
/// ca.key (owner-only; keep it safe).
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory (made 0700 if missing; refused if it already holds a CA).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
}

pub fn run(args: InitArgs) -> anyhow::Result<()> {
    let ca = pki::init(&args.dir)?;
    println!("{}", ca.display());
    Ok(())
}
