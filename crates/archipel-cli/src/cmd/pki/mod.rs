//! `archipel pki`: a certificate authority and per-daemon certificates for operators without
//! a PKI of their own (the lab makes the same), one file per subcommand.

use clap::{Args, Subcommand};

mod init;
mod issue;

#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pki init --dir pki
  archipel pki issue --dir pki --name popd-a --dns site-a --ip 198.18.0.2
  archipel popd --tls-cert pki/popd-a.pem --tls-key pki/popd-a.key ...
  archipel pop --ca pki/ca.pem --endpoint https://site-a:50051 ls")]
pub struct PkiArgs {
    #[command(subcommand)]
    command: PkiCommand,
}

#[derive(Debug, Subcommand)]
enum PkiCommand {
    Init(init::InitArgs),
    Issue(issue::IssueArgs),
}

pub fn run(args: PkiArgs) -> anyhow::Result<()> {
    match args.command {
        PkiCommand::Init(args) => init::run(args),
        PkiCommand::Issue(args) => issue::run(args),
    }
}
