//! Where `archipel login` keeps its tokens: `$XDG_CONFIG_HOME/archipel/credentials.json` (or
//! `~/.config/archipel/`), one token per NFVO endpoint, so that a token is only ever sent to
//! the NFVO that issued it. The directory is 0700 and the file 0600; `ARCHIPEL_TOKEN` overrides
//! what the file holds.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The environment variable that overrides the stored token.
pub const TOKEN_ENV: &str = "ARCHIPEL_TOKEN";
const FILE: &str = "credentials.json";

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("no config directory: set XDG_CONFIG_HOME or HOME")]
    NoConfigDir,
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a credentials file; remove it and run `archipel login`")]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// One login: the token and whose it is.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub token: String,
    pub username: String,
    /// RFC 3339.
    pub expires_at: String,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("username", &self.username)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The directory the file lives in.
pub fn dir() -> Result<PathBuf, CredentialsError> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".config")))
        .ok_or(CredentialsError::NoConfigDir)?;
    Ok(base.join("archipel"))
}

/// The token to send to `endpoint`: `ARCHIPEL_TOKEN`, else the stored one, else none (the NFVO
/// then answers 401 and the client says to log in).
pub fn token_for(endpoint: &str) -> Result<Option<String>, CredentialsError> {
    if let Some(token) = std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty()) {
        return Ok(Some(token));
    }
    Ok(load()?.remove(&key(endpoint)).map(|entry| entry.token))
}

/// Keeps `entry` for `endpoint`, beside the other endpoints' tokens.
pub fn store(endpoint: &str, entry: Entry) -> Result<PathBuf, CredentialsError> {
    let mut all = load()?;
    all.insert(key(endpoint), entry);
    save(&all)
}

/// Forgets the token of `endpoint`; the one it held.
pub fn forget(endpoint: &str) -> Result<Option<Entry>, CredentialsError> {
    let mut all = load()?;
    let gone = all.remove(&key(endpoint));
    if gone.is_some() {
        save(&all)?;
    }
    Ok(gone)
}

/// Endpoints compare with or without a trailing slash.
fn key(endpoint: &str) -> String {
    format!("{}/", endpoint.trim_end_matches('/'))
}

fn load() -> Result<BTreeMap<String, Entry>, CredentialsError> {
    let path = dir()?.join(FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|source| CredentialsError::Corrupt { path, source }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(source) => Err(CredentialsError::Io { path, source }),
    }
}

/// Writes the file anew (0600, through a temporary file renamed over it), in a 0700 directory.
fn save(all: &BTreeMap<String, Entry>) -> Result<PathBuf, CredentialsError> {
    let dir = dir()?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| CredentialsError::Io { path, source }
    };
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir).map_err(io(&dir))?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(io(&dir))?;
    let path = dir.join(FILE);
    let tmp = dir.join(format!(".{FILE}.{}", std::process::id()));
    let bytes = serde_json::to_vec_pretty(all)
        .map_err(|source| CredentialsError::Corrupt { path: path.clone(), source })?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io(&tmp))?;
    file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_compare_with_or_without_a_slash() {
        assert_eq!(key("http://127.0.0.1:8080"), key("http://127.0.0.1:8080/"));
    }
}
