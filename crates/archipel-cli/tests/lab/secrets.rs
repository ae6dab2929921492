//! What a lab run leaves on disk keeps its secrets: every file under the daemons' data
//! directories is owner-only, no log holds a password, token or key the run used, and the
//! NFVO's store holds no site password in clear.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::harness::Lab;

/// Writes a file only its owner reads, like the daemons' own.
pub fn write_private(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut file =
        std::fs::OpenOptions::new().create(true).truncate(true).write(true).mode(0o600).open(path);
    file.as_mut().unwrap().write_all(bytes).unwrap();
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            walk(&path, out);
        }
        out.push(path);
    }
}

fn contains(path: &Path, secret: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

/// Checks the lab's and the NFVO's directories (the NFVO's is `nfvo_dir`).
pub fn assert_kept(lab: &Lab, nfvo_dir: &Path) {
    let mut paths = Vec::new();
    walk(&lab.ctx.dir, &mut paths);
    walk(nfvo_dir, &mut paths);
    let mut open = Vec::new();
    for path in &paths {
        let meta = std::fs::symlink_metadata(path).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        let private = if meta.is_dir() { 0o700 } else { 0o600 };
        // Images are copies of the host's programs, and symlinks have no mode of their own.
        let image = path.components().any(|c| c.as_os_str() == "images");
        if !meta.file_type().is_symlink() && !image && mode & 0o077 != 0 {
            open.push(format!("{} {mode:o} (want {private:o})", path.display()));
        }
    }
    assert!(open.is_empty(), "open to other users:\n{}", open.join("\n"));

    let mut secrets: Vec<&str> = lab.ctx.pair_keys.values().map(String::as_str).collect();
    for site in &lab.ctx.sites {
        secrets.push(site.popd_auth.split_once(':').map_or("", |(_, pw)| pw));
        secrets.push(&site.agent_token);
    }
    let logs = paths.iter().filter(|p| p.extension().is_some_and(|e| e == "log"));
    for log in logs {
        for secret in &secrets {
            assert!(!contains(log, secret), "a secret is in {}", log.display());
        }
    }
    for store in ["nfvo.sqlite", "nfvo.sqlite-wal"] {
        for site in &lab.ctx.sites {
            let password = site.popd_auth.split_once(':').map_or("", |(_, pw)| pw);
            let path = nfvo_dir.join(store);
            assert!(
                !contains(&path, password),
                "site {}'s password is in clear in {store}",
                site.name
            );
        }
    }
}
