//! An image's config as a native manifest: Entrypoint then Cmd as the command, Env as the
//! defaults under the metadata, WorkingDir, and User as numeric ids read from the image's own
//! `/etc/passwd` and `/etc/group`, as Docker runs them.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::bad;
use crate::runtime::native::error::NativeError;

#[derive(Debug, Default, Deserialize)]
struct ImageConfig {
    #[serde(default)]
    config: Option<RunConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RunConfig {
    entrypoint: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    env: Option<Vec<String>>,
    working_dir: Option<String>,
    user: Option<String>,
}

/// The manifest as written.
#[derive(Debug, Serialize)]
struct Written<'a> {
    name: &'a str,
    /// The config's digest: two imports of one image write the same manifest.
    digest: String,
    entrypoint: Vec<String>,
    rootfs: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    workdir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    env: BTreeMap<String, String>,
}

/// The manifest of image `name` from its `config`, its root filesystem at `rootfs` (unpacked);
/// makes the working directory and the mount points the runtime needs (`/proc`, `/dev`).
pub(super) fn manifest(
    name: &str,
    config: &[u8],
    rootfs: &Path,
    src: &Path,
) -> Result<String, NativeError> {
    let parsed: ImageConfig = serde_json::from_slice(config)
        .map_err(|e| bad(src, format!("has an unreadable config: {e}")))?;
    let run = parsed.config.unwrap_or_default();
    let mut entrypoint = run.entrypoint.unwrap_or_default();
    entrypoint.extend(run.cmd.unwrap_or_default());
    if entrypoint.first().is_none_or(String::is_empty) {
        return Err(bad(src, "has neither Entrypoint nor Cmd: nothing to run".to_owned()));
    }
    let env = run
        .env
        .unwrap_or_default()
        .into_iter()
        .filter_map(|pair| pair.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .filter(|(k, _)| !k.is_empty() && !k.contains('\0'))
        .collect();
    let workdir = run.working_dir.filter(|w| !w.is_empty() && w != "/");
    for dir in workdir.iter().map(String::as_str).chain(["/proc", "/dev"]) {
        let inside = super::layer::relative(Path::new(dir))
            .ok_or_else(|| bad(src, format!("has the WorkingDir {dir:.200}, out of the image")))?;
        let mut path = rootfs.to_owned();
        for part in inside.components() {
            path.push(part);
            if !path.is_dir() {
                super::layer::make_dir(&path)?;
            }
        }
    }
    let user = match run.user.filter(|u| !u.is_empty()) {
        None => None,
        Some(spec) => Some(numeric_user(&spec, rootfs).map_err(|problem| bad(src, problem))?),
    };
    let digest = format!("sha256:{}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(config)));
    let written = Written { name, digest, entrypoint, rootfs: "rootfs", workdir, user, env };
    toml::to_string(&written).map_err(|e| bad(src, format!("cannot be described: {e}")))
}

/// `USER[:GROUP]` (names or ids) as `UID:GID`: a name is looked up in the image's files; a
/// user without a group takes the primary group `/etc/passwd` gives it, else 0.
fn numeric_user(spec: &str, rootfs: &Path) -> Result<String, String> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let passwd = table(rootfs, "passwd");
    fn field(f: &[String], i: usize) -> Option<&str> {
        f.get(i).map(String::as_str)
    }
    // name:x:uid:gid:…
    let entry = passwd.iter().find(|f| field(f, 0) == Some(user) || field(f, 2) == Some(user));
    let uid: u32 = match user.parse() {
        Ok(uid) => uid,
        Err(_) => entry.and_then(|f| field(f, 2)?.parse().ok()).ok_or_else(|| {
            format!("runs as user {user:.64}, whom its /etc/passwd does not name")
        })?,
    };
    let gid: u32 = match group {
        None => entry.and_then(|f| field(f, 3)?.parse().ok()).unwrap_or(0),
        Some(group) => match group.parse() {
            Ok(gid) => gid,
            Err(_) => table(rootfs, "group")
                .iter()
                .find(|f| field(f, 0) == Some(group))
                .and_then(|f| field(f, 2)?.parse().ok())
                .ok_or_else(|| {
                    format!("runs as group {group:.64}, which its /etc/group does not name")
                })?,
        },
    };
    Ok(format!("{uid}:{gid}"))
}

/// The colon-separated lines of the image's `/etc/NAME`; nothing when it is absent or a link
/// (which could name a file of the host).
fn table(rootfs: &Path, name: &str) -> Vec<Vec<String>> {
    let path = rootfs.join("etc").join(name);
    let regular = fs::symlink_metadata(rootfs.join("etc")).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
    let text = if regular { fs::read_to_string(&path).unwrap_or_default() } else { String::new() };
    text.lines().map(|line| line.split(':').map(str::to_owned).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rootfs(passwd: &str, group: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("etc")).unwrap();
        fs::write(dir.path().join("etc/passwd"), passwd).unwrap();
        fs::write(dir.path().join("etc/group"), group).unwrap();
        dir
    }

    #[test]
    fn users_become_numeric_ids_as_docker_reads_them() {
        let root = rootfs(
            "root:x:0:0::/root:/bin/sh\nsipp:x:1000:1001::/home:/bin/sh\n",
            "voip:x:2000:\n",
        );
        let id = |spec: &str| numeric_user(spec, root.path());
        assert_eq!(id("sipp").unwrap(), "1000:1001");
        assert_eq!(id("1000").unwrap(), "1000:1001");
        assert_eq!(id("4242").unwrap(), "4242:0");
        assert_eq!(id("sipp:voip").unwrap(), "1000:2000");
        assert_eq!(id("7:8").unwrap(), "7:8");
        assert!(id("nobody").unwrap_err().contains("user nobody"));
        assert!(id("sipp:staff").unwrap_err().contains("group staff"));
    }

    #[test]
    fn a_config_becomes_a_manifest() {
        let root = rootfs("app:x:10:20::/:/bin/sh\n", "");
        let config = br#"{"architecture":"amd64","config":{"Entrypoint":["/bin/busybox"],"Cmd":["sh","-c","env"],
            "Env":["PATH=/bin","GREETING=a=b"],"WorkingDir":"/srv/app","User":"app"}}"#;
        let text = manifest("team/app:1", config, root.path(), Path::new("x.tar")).unwrap();
        let value: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(value["entrypoint"].as_array().unwrap().len(), 4);
        assert_eq!(value["env"]["GREETING"].as_str(), Some("a=b"));
        assert_eq!(value["workdir"].as_str(), Some("/srv/app"));
        assert_eq!(value["user"].as_str(), Some("10:20"));
        assert_eq!(value["rootfs"].as_str(), Some("rootfs"));
        assert!(root.path().join("srv/app").is_dir() && root.path().join("proc").is_dir());
        let err = manifest("x", br#"{"config":{}}"#, root.path(), Path::new("x.tar")).unwrap_err();
        assert!(err.to_string().contains("neither Entrypoint nor Cmd"), "{err}");
        let out = br#"{"config":{"Cmd":["a"],"WorkingDir":"../.."}}"#;
        let err = manifest("x", out, root.path(), Path::new("x.tar")).unwrap_err();
        assert!(err.to_string().contains("out of the image"), "{err}");
    }
}
