//! Site secrets at rest: sealed with ChaCha20-Poly1305 under a key that lives in a file of its
//! own beside the database, so that a copy of `nfvo.sqlite` (a backup, a support bundle) holds
//! no popd password and no agent token. The associated data binds each sealed value to its
//! site and its field: a value copied onto another site's row does not open.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

/// The key file's name inside the data directory.
pub const KEY_FILE: &str = "secrets.key";
/// What a sealed value starts with; anything else in a secret column is clear text left by an
/// older build, sealed at the next start.
pub const SEALED_PREFIX: &str = "sealed:v1:";

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;

/// Why a key file or a sealed value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("cannot read or create the key file {path}")]
    KeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the key file {path} is not {KEY_LEN} bytes; restore it from a backup (the sealed site secrets need it)")]
    KeyLength { path: PathBuf },
    #[error("the key file is not private")]
    KeyMode(#[source] archipel_daemon::Exposed),
    #[error("a sealed value is malformed")]
    Malformed,
    #[error("a sealed value does not open with this key (another data directory's key, or tampered with)")]
    Open,
    #[error("sealing failed")]
    Seal,
}

/// The key that seals the site secrets.
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
    }
}

impl Sealer {
    /// The key of `DIR/secrets.key`, made (0600, 256 random bits) when the file does not exist.
    pub fn open(dir: &Path) -> Result<Self, SealError> {
        let path = dir.join(KEY_FILE);
        let key_file = |source| SealError::KeyFile { path: path.clone(), source };
        match std::fs::read(&path) {
            Ok(bytes) => {
                archipel_daemon::check_private(&path).map_err(SealError::KeyMode)?;
                let key: [u8; KEY_LEN] =
                    bytes.try_into().map_err(|_| SealError::KeyLength { path: path.clone() })?;
                Ok(Self::with_key(&key))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_LEN];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(key_file)?;
                file.write_all(&key).and_then(|()| file.sync_all()).map_err(key_file)?;
                Ok(Self::with_key(&key))
            }
            Err(err) => Err(key_file(err)),
        }
    }

    /// A key that lives in memory only, for stores in memory.
    pub fn ephemeral() -> Self {
        let mut key = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self::with_key(&key)
    }

    fn with_key(key: &[u8; KEY_LEN]) -> Self {
        Self { cipher: ChaCha20Poly1305::new(Key::from_slice(key)) }
    }

    /// `secret` sealed for `field` of site `site`, as the text the store keeps.
    pub fn seal(&self, site: &str, field: &str, secret: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated(site, field);
        let payload = Payload { msg: secret.as_bytes(), aad: aad.as_bytes() };
        let sealed =
            self.cipher.encrypt(Nonce::from_slice(&nonce), payload).map_err(|_| SealError::Seal)?;
        Ok(format!("{SEALED_PREFIX}{}{}", hex::encode(nonce), hex::encode(sealed)))
    }

    /// The secret `sealed` holds for `field` of site `site`.
    pub fn open_sealed(&self, site: &str, field: &str, sealed: &str) -> Result<String, SealError> {
        let text = sealed.strip_prefix(SEALED_PREFIX).ok_or(SealError::Malformed)?;
        let bytes = hex::decode(text).map_err(|_| SealError::Malformed)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, msg) = bytes.split_at(NONCE_LEN);
        let aad = associated(site, field);
        let clear = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg, aad: aad.as_bytes() })
            .map_err(|_| SealError::Open)?;
        String::from_utf8(clear).map_err(|_| SealError::Malformed)
    }
}

/// Whether a stored secret is still in clear (written by a build that did not seal).
pub fn is_clear(stored: &str) -> bool {
    !stored.starts_with(SEALED_PREFIX)
}

fn associated(site: &str, field: &str) -> String {
    format!("archipel-nfvo site {site} {field}")
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_sealed_value_opens_only_for_its_site_and_field() {
        let sealer = Sealer::ephemeral();
        let sealed = sealer.seal("a", "password", "hunter2").unwrap();
        assert!(!sealed.contains("hunter2"));
        assert!(!is_clear(&sealed));
        assert_eq!(sealer.open_sealed("a", "password", &sealed).unwrap(), "hunter2");
        assert!(matches!(sealer.open_sealed("b", "password", &sealed), Err(SealError::Open)));
        assert!(matches!(sealer.open_sealed("a", "agent_token", &sealed), Err(SealError::Open)));
        let other = Sealer::ephemeral();
        assert!(matches!(other.open_sealed("a", "password", &sealed), Err(SealError::Open)));
        assert!(matches!(
            sealer.open_sealed("a", "password", "hunter2"),
            Err(SealError::Malformed)
        ));
    }

    #[test]
    fn the_key_file_is_made_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = Sealer::open(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let sealed = first.seal("a", "password", "pw").unwrap();
        let again = Sealer::open(dir.path()).unwrap();
        assert_eq!(again.open_sealed("a", "password", &sealed).unwrap(), "pw");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Sealer::open(dir.path()).unwrap_err();
        assert!(matches!(err, SealError::KeyMode(_)), "{err}");
        assert!(archipel_daemon::chain(&err).contains("chmod"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, b"short").unwrap();
        assert!(matches!(Sealer::open(dir.path()), Err(SealError::KeyLength { .. })));
    }
}
