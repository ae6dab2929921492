//! TLS for every daemon and client (rustls with the ring provider): the server and client
//! configurations made from PEM files, and serving an axum router over TLS ([`serve_https`]).
//! Certificates are checked by name: the hostname or IP address of the URL must be in the
//! server certificate's subject alternative names.

mod files;
mod serve;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;

pub use files::Identity;
// The configurations' types, for crates that hand them to their HTTP client.
pub use rustls::{ClientConfig, ServerConfig};
pub use serve::{serve_https, PeerNames};

/// What is wrong with a TLS file or configuration; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is larger than {limit} bytes: not a certificate or key file", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{} is not PEM", path.display())]
    NotPem {
        path: PathBuf,
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    #[error("{} holds no certificate (expected a PEM \"CERTIFICATE\" block)", path.display())]
    NoCertificate { path: PathBuf },
    #[error("{} holds no private key (expected a PEM \"PRIVATE KEY\" block)", path.display())]
    NoKey { path: PathBuf },
    #[error("{} holds a certificate that cannot be parsed", path.display())]
    BadCertificate {
        path: PathBuf,
        #[source]
        source: webpki::Error,
    },
    #[error("the certificate in {} expired", path.display())]
    Expired { path: PathBuf },
    #[error("the certificate in {} is not valid yet", path.display())]
    NotYetValid { path: PathBuf },
    #[error("{} holds a certificate that cannot be a certificate authority", path.display())]
    BadAuthority {
        path: PathBuf,
        #[source]
        source: rustls::Error,
    },
    #[error("the key in {} is not usable", path.display())]
    BadKey {
        path: PathBuf,
        #[source]
        source: rustls::Error,
    },
    #[error("the key in {} does not belong to the certificate in {}", key.display(), cert.display())]
    KeyMismatch { cert: PathBuf, key: PathBuf },
    #[error("cannot verify client certificates against {}", path.display())]
    ClientVerifier {
        path: PathBuf,
        #[source]
        source: rustls::server::VerifierBuilderError,
    },
    #[error("cannot make the TLS configuration")]
    Config(#[source] rustls::Error),
}

/// A daemon's certificate chain (the leaf first) and private key, PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The one crypto provider of every configuration (explicit, so that no process-wide default
/// has to be installed first).
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The configuration of a server presenting `cert` (a PEM chain, the leaf first) with `key`.
/// With `client_ca`, a client certificate is verified against it when one is presented, but a
/// client without one is still accepted at the TLS level: the agent serves North callers
/// without certificates and East-West callers with them on one port, and tells them apart by
/// [`PeerNames`].
pub fn server_config(
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let identity = Identity::read(cert, key)?;
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let roots = Arc::new(root_store(path)?);
            let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider())
                .allow_unauthenticated()
                .build()
                .map_err(|source| TlsError::ClientVerifier { path: path.to_owned(), source })?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(identity.chain, identity.key)
        .map_err(|source| TlsError::BadKey { path: key.to_owned(), source })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The configuration of a client that trusts the certificate authorities in `ca` and, with
/// `identity` (certificate, key), presents that certificate to servers that ask for one.
pub fn client_config(
    ca: &Path,
    identity: Option<(&Path, &Path)>,
) -> Result<ClientConfig, TlsError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_root_certificates(root_store(ca)?);
    match identity {
        None => Ok(builder.with_no_client_auth()),
        Some((cert, key)) => {
            let identity = Identity::read(cert, key)?;
            builder
                .with_client_auth_cert(identity.chain, identity.key)
                .map_err(|source| TlsError::BadKey { path: key.to_owned(), source })
        }
    }
}

/// What a client of several protocols needs to reach `https://` servers: the certificate
/// authorities as a rustls configuration (for reqwest) and as PEM (for tonic).
#[derive(Debug, Clone)]
pub struct ClientTls {
    pub config: ClientConfig,
    pub ca_pem: Arc<[u8]>,
}

impl ClientTls {
    /// Trusts the certificate authorities in `ca`; presents `identity` (certificate, key) to
    /// servers that ask for a client certificate.
    pub fn load(ca: &Path, identity: Option<(&Path, &Path)>) -> Result<Self, TlsError> {
        Ok(ClientTls { config: client_config(ca, identity)?, ca_pem: read_ca(ca)?.into() })
    }
}

/// The certificate authorities of `path` (PEM), checked, as PEM text: for clients whose
/// library takes PEM (tonic's `ClientTlsConfig`).
pub fn read_ca(path: &Path) -> Result<Vec<u8>, TlsError> {
    root_store(path)?;
    files::read_limited(path)
}

fn root_store(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in files::certificates(path)? {
        roots
            .add(cert)
            .map_err(|source| TlsError::BadAuthority { path: path.to_owned(), source })?;
    }
    Ok(roots)
}

#[cfg(test)]
mod tests;
