//! This site's WireGuard key pair: the private key in `wireguard.key` (base64, as `wg genkey`
//! writes it, owner-only) in the data directory; never logged, never in an answer.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use boringtun::x25519::{PublicKey as XPublic, StaticSecret};

use super::WireguardError;

const KEY_FILE: &str = "wireguard.key";
/// A base64 key of 32 bytes is 44 characters; a file much longer is not a key.
const MAX_KEY_FILE: u64 = 128;

/// A WireGuard public key, as `wg` shows it (base64 of 32 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    pub fn parse(text: &str) -> Result<Self, WireguardError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| WireguardError::BadPublicKey)?;
        Ok(Self(bytes.try_into().map_err(|_| WireguardError::BadPublicKey)?))
    }

    pub fn to_base64(self) -> String {
        STANDARD.encode(self.0)
    }

    /// The UAPI's form.
    pub(super) fn to_hex(self) -> String {
        hex::encode(self.0)
    }
}

/// This site's key pair; its `Debug` shows the public key only.
pub struct KeyPair {
    secret: StaticSecret,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").field("public", &self.public().to_base64()).finish()
    }
}

impl KeyPair {
    /// The pair whose private key is in `dir`, made there first if there is none.
    pub fn load_or_create(dir: &Path) -> Result<Self, WireguardError> {
        let path = dir.join(KEY_FILE);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() > MAX_KEY_FILE => Err(bad(&path)),
            Ok(_) => {
                let text = std::fs::read_to_string(&path).map_err(io("read", &path))?;
                let bytes: [u8; 32] = STANDARD
                    .decode(text.trim())
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| bad(&path))?;
                Ok(Self { secret: StaticSecret::from(bytes) })
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Self::generate(dir),
            Err(err) => Err(io("read", &path)(err)),
        }
    }

    /// A fresh pair, written to `dir` in place of the old one (through a new file renamed over
    /// it, so that a crash leaves one whole key).
    pub fn generate(dir: &Path) -> Result<Self, WireguardError> {
        let pair = Self { secret: StaticSecret::from(rand::random::<[u8; 32]>()) };
        let path = dir.join(KEY_FILE);
        let fresh = dir.join(format!("{KEY_FILE}.new"));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&fresh)
            .map_err(io("write", &fresh))?;
        let text = STANDARD.encode(pair.secret.to_bytes());
        file.write_all(format!("{text}\n").as_bytes()).map_err(io("write", &fresh))?;
        file.sync_all().map_err(io("write", &fresh))?;
        std::fs::rename(&fresh, &path).map_err(io("write", &path))?;
        Ok(pair)
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(*XPublic::from(&self.secret).as_bytes())
    }

    /// The UAPI's form of the private key; it goes only to the device's socket.
    pub(super) fn private_hex(&self) -> String {
        hex::encode(self.secret.to_bytes())
    }
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> WireguardError {
    let path = path.display().to_string();
    move |source| WireguardError::KeyFile { action, path, source }
}

fn bad(path: &Path) -> WireguardError {
    WireguardError::BadKeyFile { path: PathBuf::from(path).display().to_string() }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn the_key_is_kept_owner_only_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let first = KeyPair::load_or_create(dir.path()).unwrap();
        let again = KeyPair::load_or_create(dir.path()).unwrap();
        assert_eq!(first.public(), again.public());
        let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let rotated = KeyPair::generate(dir.path()).unwrap();
        assert_ne!(rotated.public(), first.public());
        assert_eq!(KeyPair::load_or_create(dir.path()).unwrap().public(), rotated.public());
        assert!(!format!("{first:?}").contains(&STANDARD.encode(first.secret.to_bytes())));
        assert_eq!(PublicKey::parse(&first.public().to_base64()).unwrap(), first.public());
        assert!(PublicKey::parse("c2hvcnQ=").is_err());
    }
}
