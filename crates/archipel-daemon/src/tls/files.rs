//! Reading certificates and keys from PEM files, with errors that name the file and what is
//! wrong with it.

use std::io::Read;
use std::path::{Path, PathBuf};

use rustls::crypto::ring::default_provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{Error as RustlsError, InconsistentKeys};

use super::TlsError;

/// Certificate and key files are a few KiB; anything larger is the wrong file.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A certificate chain and its private key, read and checked: every certificate is within its
/// validity period and the key belongs to the first one. The PEM text is kept for libraries
/// that take PEM (tonic's `ServerTlsConfig`).
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Identity").field("chain", &self.chain.len()).finish_non_exhaustive()
    }
}

impl Identity {
    /// Reads the chain in `cert` (the leaf first) and the private key in `key`.
    pub fn read(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let cert_pem = read_limited(cert)?;
        let chain = parse_certificates(cert, &cert_pem)?;
        let key_pem = read_limited(key)?;
        let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|source| match source {
            rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoKey { path: key.to_owned() },
            source => TlsError::NotPem { path: key.to_owned(), source },
        })?;
        match CertifiedKey::from_der(chain.clone(), private.clone_key(), &default_provider()) {
            Ok(_) => {}
            Err(RustlsError::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {
                return Err(TlsError::KeyMismatch { cert: cert.to_owned(), key: key.to_owned() })
            }
            Err(source) => return Err(TlsError::BadKey { path: key.to_owned(), source }),
        }
        Ok(Identity { chain, key: private, cert_pem, key_pem })
    }
}

/// The certificates of a PEM file, at least one, each within its validity period.
pub(super) fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    parse_certificates(path, &read_limited(path)?)
}

fn parse_certificates(path: &Path, pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| TlsError::NotPem { path: path.to_owned(), source })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate { path: path.to_owned() });
    }
    for cert in &certs {
        check_validity(path, cert)?;
    }
    Ok(certs)
}

/// Says which certificate has expired (or is not valid yet) before a peer refuses it with a
/// less helpful alert. webpki checks the validity period of a certificate before it looks for
/// its issuer, so verifying it against no trust anchor at all reports exactly that, and any
/// other outcome (an unknown issuer, always) is not this check's concern.
fn check_validity(path: &Path, cert: &CertificateDer<'_>) -> Result<(), TlsError> {
    let parsed = webpki::EndEntityCert::try_from(cert)
        .map_err(|source| TlsError::BadCertificate { path: path.to_owned(), source })?;
    let checked = parsed.verify_for_usage(
        default_provider().signature_verification_algorithms.all,
        &[],
        &[],
        UnixTime::now(),
        webpki::KeyUsage::server_auth(),
        None,
        None,
    );
    match checked {
        Err(webpki::Error::CertExpired { .. }) => Err(TlsError::Expired { path: path.to_owned() }),
        Err(webpki::Error::CertNotValidYet { .. }) => {
            Err(TlsError::NotYetValid { path: path.to_owned() })
        }
        _ => Ok(()),
    }
}

/// The bytes of `path`, refused past [`MAX_FILE_BYTES`].
pub(super) fn read_limited(path: &Path) -> Result<Vec<u8>, TlsError> {
    let read = |source| TlsError::Read { path: PathBuf::from(path), source };
    let file = std::fs::File::open(path).map_err(read)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(read)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
        return Err(TlsError::TooLarge { path: path.to_owned(), limit: MAX_FILE_BYTES });
    }
    Ok(bytes)
}
