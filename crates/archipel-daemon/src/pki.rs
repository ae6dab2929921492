//! A small PKI for operators without one (`archipel pki`) and for the lab: a certificate
//! authority in a directory (`ca.pem`, `ca.key`) and certificates it signs (`NAME.pem`,
//! `NAME.key`). Keys are ECDSA P-256, written owner-only; the directory is made 0700.

use std::fs::OpenOptions;
use std::io::Write;
use std::net::IpAddr;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

/// The CA's certificate in a PKI directory.
pub const CA_CERT: &str = "ca.pem";
/// The CA's private key in a PKI directory.
pub const CA_KEY: &str = "ca.key";

/// How long what this module makes is valid: a CA ten years, a certificate two.
const CA_DAYS: i64 = 3650;
const CERT_DAYS: i64 = 730;
/// Names and addresses one certificate may carry; a certificate names one daemon.
const MAX_NAMES: usize = 32;
const MAX_NAME_LEN: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("{} already holds a certificate authority; remove it or choose another directory", dir.display())]
    CaExists { dir: PathBuf },
    #[error("{} already exists; remove it to issue {name} again", path.display())]
    CertExists { name: String, path: PathBuf },
    #[error("invalid certificate name {name:?}: use 1 to {MAX_NAME_LEN} letters, digits, '-', '_' or '.', not starting with '.'")]
    BadName { name: String },
    #[error("invalid DNS name {name:?}")]
    BadDnsName {
        name: String,
        #[source]
        source: rcgen::Error,
    },
    #[error(
        "a certificate needs at least one --dns name or --ip address: clients check it by name"
    )]
    NoNames,
    #[error("too many names: {count} given, at most {MAX_NAMES}")]
    TooManyNames { count: usize },
    #[error("cannot read the certificate authority's key {}", path.display())]
    CaKey {
        path: PathBuf,
        #[source]
        source: PkiSource,
    },
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot make the certificate")]
    Sign(#[source] rcgen::Error),
}

/// Why the CA's key could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PkiSource {
    #[error(transparent)]
    Io(std::io::Error),
    #[error(transparent)]
    Key(rcgen::Error),
}

/// What a certificate names: DNS names and IP addresses (its subject alternative names).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub dns: Vec<String>,
    pub ips: Vec<IpAddr>,
}

/// Makes a certificate authority in `dir` (created 0700 if missing): `ca.pem` and `ca.key`
/// (0600). Refuses a directory that already holds one, so a CA is never replaced by mistake.
pub fn init(dir: &Path) -> Result<PathBuf, PkiError> {
    if dir.join(CA_KEY).exists() || dir.join(CA_CERT).exists() {
        return Err(PkiError::CaExists { dir: dir.to_owned() });
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| PkiError::Write { path: dir.to_owned(), source })?;
    let key = KeyPair::generate().map_err(PkiError::Sign)?;
    let cert = ca_params(&key).self_signed(&key).map_err(PkiError::Sign)?;
    write_new(&dir.join(CA_KEY), key.serialize_pem().as_bytes())?;
    write_new(&dir.join(CA_CERT), cert.pem().as_bytes())?;
    Ok(dir.join(CA_CERT))
}

/// Issues `NAME.pem` and `NAME.key` (0600) in `dir`, signed by its CA, for `names`; good for
/// both server and client authentication (an agent is both). Returns the two paths.
pub fn issue(dir: &Path, name: &str, names: &Names) -> Result<(PathBuf, PathBuf), PkiError> {
    check_file_name(name)?;
    let count = names.dns.len() + names.ips.len();
    if count == 0 {
        return Err(PkiError::NoNames);
    }
    if count > MAX_NAMES {
        return Err(PkiError::TooManyNames { count });
    }
    let (cert_path, key_path) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    for path in [&cert_path, &key_path] {
        if path.exists() {
            return Err(PkiError::CertExists { name: name.to_owned(), path: path.clone() });
        }
    }
    let ca_key = read_ca_key(&dir.join(CA_KEY))?;
    let issuer = Issuer::new(ca_params(&ca_key), ca_key);

    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    for dns in &names.dns {
        let value = dns
            .clone()
            .try_into()
            .map_err(|source| PkiError::BadDnsName { name: dns.clone(), source })?;
        params.subject_alt_names.push(SanType::DnsName(value));
    }
    params.subject_alt_names.extend(names.ips.iter().copied().map(SanType::IpAddress));
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages =
        vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    validity(&mut params, CERT_DAYS);

    let key = KeyPair::generate().map_err(PkiError::Sign)?;
    let cert = params.signed_by(&key, &issuer).map_err(PkiError::Sign)?;
    write_new(&key_path, key.serialize_pem().as_bytes())?;
    write_new(&cert_path, cert.pem().as_bytes())?;
    Ok((cert_path, key_path))
}

/// The CA's parameters, derived from its key alone so that `issue` can sign without parsing
/// the CA certificate: its name carries a fingerprint of the key, which also keeps two CAs
/// (two labs) from having one name.
fn ca_params(key: &KeyPair) -> CertificateParams {
    let fingerprint: String =
        key.public_key_raw().iter().skip(1).take(8).map(|b| format!("{b:02x}")).collect();
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("Archipel CA {fingerprint}"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut params, CA_DAYS);
    params
}

fn validity(params: &mut CertificateParams, days: i64) {
    // An hour of slack for clocks that are a little behind.
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(days);
}

fn read_ca_key(path: &Path) -> Result<KeyPair, PkiError> {
    let err = |source| PkiError::CaKey { path: path.to_owned(), source };
    let pem = std::fs::read_to_string(path).map_err(|e| err(PkiSource::Io(e)))?;
    KeyPair::from_pem(&pem).map_err(|e| err(PkiSource::Key(e)))
}

fn check_file_name(name: &str) -> Result<(), PkiError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name != "ca";
    if ok {
        Ok(())
    } else {
        Err(PkiError::BadName { name: name.to_owned() })
    }
}

/// Writes a new file, owner-only from its creation (a key is never readable by others, even
/// for a moment).
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), PkiError> {
    let err = |source| PkiError::Write { path: path.to_owned(), source };
    let mut file =
        OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(err)?;
    file.write_all(bytes).map_err(err)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::tls;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_ca_signs_certificates_that_tls_accepts_and_keys_are_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pki");
        let ca = init(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(CA_KEY)), 0o600);
        let names = Names { dns: vec!["site-a".into()], ips: vec!["198.18.0.2".parse().unwrap()] };
        let (cert, key) = issue(&dir, "agent-a", &names).unwrap();
        assert_eq!(mode(&key), 0o600);
        tls::server_config(&cert, &key, Some(&ca)).unwrap();
        tls::client_config(&ca, Some((&cert, &key))).unwrap();

        assert!(matches!(init(&dir), Err(PkiError::CaExists { .. })));
        assert!(matches!(issue(&dir, "agent-a", &names), Err(PkiError::CertExists { .. })));
        assert!(matches!(issue(&dir, "../x", &names), Err(PkiError::BadName { .. })));
        assert!(matches!(issue(&dir, "b", &Names::default()), Err(PkiError::NoNames)));
    }
}
