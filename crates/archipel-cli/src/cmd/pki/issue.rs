//! `pki issue`: a certificate and its key, signed by the directory's CA.

use std::net::IpAddr;
use std::path::PathBuf;

use archipel_daemon::pki::{self, Names};
use clap::Args;

/// Issue NAME.pem and NAME.key (owner-only) signed by the CA of a directory, for the names
/// clients use to reach the daemon (a client checks the hostname or IP address of its URL).
/// Good for servers and clients alike: an agent presents its certificate to other agents.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The directory holding the CA (made by `archipel pki init`).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The files' name (NAME.pem, NAME.key) and the certificate's common name.
    #[arg(long)]
    name: String,
    /// A DNS name the certificate is valid for (repeatable); an agent's names its site.
    #[arg(long = "dns", value_name = "NAME")]
    dns: Vec<String>,
    /// An IP address the certificate is valid for (repeatable).
    #[arg(long = "ip", value_name = "ADDR")]
    ips: Vec<IpAddr>,
}

pub fn run(args: IssueArgs) -> anyhow::Result<()> {
    let (cert, key) = pki::issue(&args.dir, &args.name, &Names { dns: args.dns, ips: args.ips })?;
    println!("{}\n{}", cert.display(), key.display());
    Ok(())
}
