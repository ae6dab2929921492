//! The TLS flags every daemon and every client share: a daemon serves TLS with `--tls-cert`
//! and `--tls-key`, or plain text only when told `--insecure` (and, off loopback,
//! `--insecure-non-loopback`); a client checks `https://` servers against `--ca`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use archipel_daemon::tls::{self, CertFiles, ClientTls};

/// How a daemon serves: TLS, or plain text when explicitly asked.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeTlsArgs {
    /// The certificate this daemon presents (PEM, the leaf first); see `archipel pki`
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain text instead of TLS; refused on a non-loopback address unless
    /// --insecure-non-loopback is also given
    #[arg(long, conflicts_with = "tls_cert")]
    pub insecure: bool,
    /// With --insecure: accept serving plain text to other hosts
    #[arg(long, requires = "insecure")]
    pub insecure_non_loopback: bool,
}

impl ServeTlsArgs {
    /// The certificate files to serve with, or none for plain text, once the choice is
    /// allowed for `listen`.
    pub fn files(&self, daemon: &str, listen: SocketAddr) -> anyhow::Result<Option<CertFiles>> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            return Ok(Some(CertFiles { cert: cert.clone(), key: key.clone() }));
        }
        if !self.insecure {
            bail!(
                "{daemon} serves TLS: give --tls-cert and --tls-key (`archipel pki` makes them), \
                 or --insecure to serve plain text on a loopback address"
            );
        }
        if !listen.ip().is_loopback() && !self.insecure_non_loopback {
            bail!(
                "--insecure refused on {listen}: it is not a loopback address, and plain text \
                 there exposes passwords and tokens to the network; serve TLS (--tls-cert, \
                 --tls-key), or add --insecure-non-loopback to accept that"
            );
        }
        Ok(None)
    }

    /// The rustls configuration for an axum daemon, verifying client certificates against
    /// `client_ca` when given.
    pub fn server_config(
        &self,
        daemon: &str,
        listen: SocketAddr,
        client_ca: Option<&std::path::Path>,
    ) -> anyhow::Result<Option<Arc<tls::ServerConfig>>> {
        match self.files(daemon, listen)? {
            Some(files) => Ok(Some(tls::server_config(&files.cert, &files.key, client_ca)?)),
            None => Ok(None),
        }
    }
}

/// The certificate authority a client checks `https://` servers against.
#[derive(Debug, Clone, clap::Args)]
pub struct CaArgs {
    /// The certificate authority (PEM) that https:// servers' certificates must chain to
    #[arg(long, global = true, env = "ARCHIPEL_CA", value_name = "FILE")]
    pub ca: Option<PathBuf>,
}

impl CaArgs {
    /// What a client of `urls` needs: none when no CA is given and every URL is plain.
    pub fn client(&self, urls: &[&str]) -> anyhow::Result<Option<ClientTls>> {
        self.client_with_identity(urls, None)
    }

    /// As [`CaArgs::client`], presenting `identity` (certificate, key) to servers that ask.
    pub fn client_with_identity(
        &self,
        urls: &[&str],
        identity: Option<&CertFiles>,
    ) -> anyhow::Result<Option<ClientTls>> {
        match &self.ca {
            Some(ca) => {
                let identity = identity.map(|files| (files.cert.as_path(), files.key.as_path()));
                Ok(Some(ClientTls::load(ca, identity)?))
            }
            None => {
                if let Some(url) = urls.iter().find(|url| url.starts_with("https://")) {
                    bail!("{url} is reached over TLS: give the certificate authority that signed its certificate (--ca or ARCHIPEL_CA)");
                }
                Ok(None)
            }
        }
    }
}
