//! Owner-only files: what a daemon writes (stores, keys, addresses, workloads' state and logs)
//! may hold secrets, so nobody but its owner reads it.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use nix::sys::stat::{umask, Mode};

/// Makes every file and directory this process creates from now on owner-only (`umask 077`).
/// Called first thing in `main`, before any thread exists.
pub fn owner_only_files() {
    umask(Mode::from_bits_truncate(0o077));
}

/// A data directory or file that other users can reach.
#[derive(Debug, thiserror::Error)]
#[error("{} is open to other users (mode {mode:o}): run `chmod -R go-rwx {}` and start again", path.display(), path.display())]
pub struct Exposed {
    pub path: PathBuf,
    pub mode: u32,
}

/// Refuses a path that exists and that the group or others may read, write or enter.
pub fn check_private(path: &Path) -> Result<(), Exposed> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
            Err(Exposed { path: path.to_owned(), mode: meta.permissions().mode() & 0o7777 })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_others_can_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        check_private(dir.path()).unwrap();
        check_private(&dir.path().join("absent")).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let err = check_private(dir.path()).unwrap_err();
        assert_eq!(err.mode, 0o755);
        assert!(err.to_string().contains("chmod -R go-rwx"), "{err}");
    }
}
