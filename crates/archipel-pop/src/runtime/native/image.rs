//! The site's image catalogue: one directory per image holding `manifest.toml` beside the files
//! the image needs.
//!
//! ```toml
//! name = "mcilloni/sipp-server:latest"      # required
//! entrypoint = ["/bin/sh", "./entrypoint.sh"] # required; "./x" is the image directory's x
//! rootfs = "rootfs"                          # optional: a directory of the image to chroot into
//! workdir = "/srv"                           # optional, with rootfs: where the command starts
//! user = "1000:1000"                         # optional, with rootfs: the ids it runs as
//! digest = "sha256:…"                        # optional: the OCI config an import made it from
//! [env]                                      # optional defaults, under the container's metadata
//! PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
//! ```
//!
//! An image's id is `sha256:` and the hex sha256 of its manifest; it is created when its manifest
//! was last written. A name without a tag means `:latest`, as with Docker.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tracing::warn;

use super::error::NativeError;
use crate::runtime::ImageInfo;

pub(super) const MANIFEST: &str = "manifest.toml";

/// A manifest as written; required fields are checked after parsing to name them in errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    name: Option<String>,
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    rootfs: Option<PathBuf>,
    workdir: Option<String>,
    user: Option<String>,
    /// Read only as part of the manifest's bytes, hence of the image's id.
    #[serde(rename = "digest")]
    _digest: Option<String>,
}

/// A valid manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Manifest {
    pub(super) name: String,
    pub(super) entrypoint: Vec<String>,
    pub(super) env: BTreeMap<String, String>,
    /// Absolute: inside the image's directory.
    pub(super) rootfs: Option<PathBuf>,
    /// Absolute inside the root filesystem; `/` when not given.
    pub(super) workdir: PathBuf,
    /// The user and group ids it runs as; root when not given.
    pub(super) user: Option<(u32, u32)>,
}

/// An image of the catalogue.
#[derive(Debug, Clone)]
pub(super) struct Image {
    pub(super) dir: PathBuf,
    pub(super) manifest: Manifest,
    pub(super) info: ImageInfo,
}

impl Image {
    /// Reads and checks the image in `dir`.
    pub(super) fn load(dir: &Path) -> Result<Image, NativeError> {
        let path = dir.join(MANIFEST);
        let (bytes, modified) = read_manifest(&path)?;
        let text = String::from_utf8_lossy(&bytes);
        // toml's message quotes the offending line: only its position and problem are told,
        // so no error ever carries the file's content.
        let raw: RawManifest = toml::from_str(&text).map_err(|e| NativeError::ManifestSyntax {
            path: path.clone(),
            line: e.span().map_or(0, |span| line_of(&text, span.start)),
            problem: e.message().to_owned(),
        })?;
        let manifest = validate(raw, dir)
            .map_err(|problem| NativeError::ManifestInvalid { path: path.clone(), problem })?;
        let info = ImageInfo {
            id: format!("sha256:{}", hex::encode(Sha256::digest(&bytes))),
            names: vec![manifest.name.clone()],
            created: modified
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        };
        Ok(Image { dir: dir.to_owned(), manifest, info })
    }

    /// The command line to run: `./` arguments name files of the image directory, unless the
    /// image has a root filesystem (there they are the chroot's business).
    pub(super) fn command(&self) -> Vec<String> {
        if self.manifest.rootfs.is_some() {
            return self.manifest.entrypoint.clone();
        }
        self.manifest
            .entrypoint
            .iter()
            .map(|arg| match arg.strip_prefix("./") {
                Some(rest) => self.dir.join(rest).to_string_lossy().into_owned(),
                None => arg.clone(),
            })
            .collect()
    }
}

fn validate(raw: RawManifest, dir: &Path) -> Result<Manifest, String> {
    let name = raw
        .name
        .ok_or("the field `name` is required (the image's name, e.g. name = \"sipp-server\")")?;
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return Err(format!("the field `name` ({name:?}) must be non-empty and without spaces"));
    }
    let entrypoint = raw.entrypoint.ok_or(
        "the field `entrypoint` is required (the command to run, e.g. entrypoint = [\"/bin/sh\", \"./start.sh\"])",
    )?;
    if entrypoint.first().is_none_or(String::is_empty) {
        return Err("the field `entrypoint` must start with a non-empty program".to_owned());
    }
    if let Some(key) = raw.env.keys().find(|k| k.is_empty() || k.contains(['=', '\0'])) {
        return Err(format!("the field `env` has an invalid variable name {key:?}"));
    }
    let rootfs = match raw.rootfs {
        None => None,
        Some(rootfs) => {
            let path = dir.join(&rootfs);
            if rootfs.is_absolute() || rootfs.components().any(|c| c.as_os_str() == "..") {
                return Err(format!(
                    "the field `rootfs` ({}) must be a directory inside the image",
                    rootfs.display()
                ));
            }
            // Never followed: a link could name any directory of the host, `/` included.
            if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                return Err(format!(
                    "the field `rootfs` names {}, which is not a directory of the image (a \
                     symbolic link is refused)",
                    path.display()
                ));
            }
            Some(path)
        }
    };
    if rootfs.is_none() && (raw.workdir.is_some() || raw.user.is_some()) {
        return Err("the fields `workdir` and `user` need a `rootfs`".to_owned());
    }
    let workdir = PathBuf::from(raw.workdir.as_deref().unwrap_or("/"));
    if !workdir.is_absolute() || workdir.components().any(|c| c.as_os_str() == "..") {
        return Err(format!(
            "the field `workdir` ({}) must be an absolute path inside the root filesystem",
            workdir.display()
        ));
    }
    if let Some(root) = &rootfs {
        real_dir(root, &workdir)?;
    }
    let user = raw.user.as_deref().map(numeric_ids).transpose()?;
    Ok(Manifest { name, entrypoint, env: raw.env, rootfs, workdir, user })
}

/// Checks that `workdir` is a directory of `root` reached through directories only: the
/// workload starts there before its root changes, so a link could start it outside.
fn real_dir(root: &Path, workdir: &Path) -> Result<(), String> {
    let mut path = root.to_owned();
    for part in workdir.components().skip(1) {
        path.push(part);
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return Err(format!(
                "the field `workdir` ({}) is not a directory of the root filesystem (a symbolic \
                 link is refused)",
                workdir.display()
            ));
        }
    }
    Ok(())
}

/// `UID[:GID]` as numbers (a missing group is 0).
fn numeric_ids(user: &str) -> Result<(u32, u32), String> {
    let (uid, gid) = user.split_once(':').unwrap_or((user, "0"));
    match (uid.parse(), gid.parse()) {
        (Ok(uid), Ok(gid)) => Ok((uid, gid)),
        _ => Err(format!("the field `user` ({user:.64}) must be UID or UID:GID, in numbers")),
    }
}

/// The largest manifest read.
pub(super) const MAX_MANIFEST_BYTES: u64 = 64 * 1024;

/// The manifest's bytes and modification time. It must be a regular file of the image: it is
/// opened without following a link and without blocking (a FIFO), then checked.
fn read_manifest(path: &Path) -> Result<(Vec<u8>, SystemTime), NativeError> {
    let not_regular = || NativeError::NotAnImage {
        path: path.to_owned(),
        problem: "is not a regular file: the manifest must be a file of the image, not a \
                  symbolic link, FIFO, device or socket",
    };
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(nix::libc::ELOOP) => not_regular(),
            _ => NativeError::io("read", path)(e),
        })?;
    let meta = file.metadata().map_err(NativeError::io("inspect", path))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if meta.len() > MAX_MANIFEST_BYTES {
        return Err(NativeError::NotAnImage {
            path: path.to_owned(),
            problem: "is larger than 64 KiB, the limit for a manifest",
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES).read_to_end(&mut bytes).map_err(NativeError::io("read", path))?;
    let modified =
        meta.modified().map_err(NativeError::io("read the modification time of", path))?;
    Ok((bytes, modified))
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1
}

/// Every valid image under `images_dir`, sorted by directory; an invalid one is skipped with a
/// warning, and so is a second image of an already listed name.
pub(super) fn list(images_dir: &Path) -> Result<Vec<Image>, NativeError> {
    let entries = match fs::read_dir(images_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(NativeError::io("list", images_dir)(e)),
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
        .map(|entry| entry.path())
        .filter(|path| path.join(MANIFEST).is_file())
        .collect();
    dirs.sort();
    let mut images: Vec<Image> = Vec::with_capacity(dirs.len());
    for dir in dirs {
        match Image::load(&dir) {
            Ok(image)
                if images.iter().any(|i| same_name(&i.manifest.name, &image.manifest.name)) =>
            {
                warn!(
                    dir = %dir.display(),
                    name = %image.manifest.name,
                    "an image of this name is already in the catalogue; ignoring this one"
                )
            }
            Ok(image) => images.push(image),
            Err(error) => warn!(error = %crate::error::chain(&error), "ignoring an invalid image"),
        }
    }
    Ok(images)
}

/// The image a reference names: a name (without a tag meaning `:latest`), else an id, whole or
/// a prefix that matches one image only, with or without `sha256:`.
pub(super) fn find<'a>(images: &'a [Image], reference: &str) -> Option<&'a Image> {
    if let Some(image) = images.iter().find(|i| same_name(&i.manifest.name, reference)) {
        return Some(image);
    }
    let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut matching = images.iter().filter(|i| i.info.id["sha256:".len()..].starts_with(hex));
    match (matching.next(), matching.next()) {
        (Some(image), None) => Some(image),
        _ => None,
    }
}

pub(super) fn same_name(a: &str, b: &str) -> bool {
    with_tag(a) == with_tag(b)
}

/// `name` with `:latest` appended when its last path segment has no tag.
fn with_tag(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') || name.contains('@') {
        name.to_owned()
    } else {
        format!("{name}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image_dir(root: &Path, dir: &str, manifest: &str) -> PathBuf {
        let dir = root.join(dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(MANIFEST), manifest).unwrap();
        dir
    }

    #[test]
    fn loads_a_manifest_and_resolves_image_files() {
        let root = tempfile::tempdir().unwrap();
        let dir = image_dir(
            root.path(),
            "echo",
            "name = \"echo\"\nentrypoint = [\"/bin/sh\", \"./run.sh\", \"x\"]\n[env]\nA = \"1\"\n",
        );
        let image = Image::load(&dir).unwrap();
        assert_eq!(image.manifest.name, "echo");
        assert_eq!(image.manifest.env, BTreeMap::from([("A".to_owned(), "1".to_owned())]));
        assert!(image.info.id.starts_with("sha256:"));
        assert_eq!(image.info.id.len(), "sha256:".len() + 64);
        assert_eq!(image.info.names, ["echo"]);
        assert!(image.info.created > 0);
        let run = dir.join("run.sh").to_string_lossy().into_owned();
        assert_eq!(image.command(), ["/bin/sh", run.as_str(), "x"]);
    }

    #[test]
    fn names_the_missing_or_wrong_field() {
        let root = tempfile::tempdir().unwrap();
        let cases = [
            ("entrypoint = [\"/bin/true\"]", "the field `name` is required"),
            ("name = \"x\"", "the field `entrypoint` is required"),
            ("name = \"x\"\nentrypoint = []", "must start with a non-empty program"),
            ("name = \"x\"\nentrypoint = [\"a\"]\nrootfs = \"nope\"", "not a directory"),
            ("name = \"x\"\nentrypoint = [\"a\"]\nrootfs = \"../x\"", "inside the image"),
            ("name = \"x\"\nentrypoint = [\"a\"]\nuser = \"0\"", "need a `rootfs`"),
        ];
        for (i, (manifest, expected)) in cases.into_iter().enumerate() {
            let dir = image_dir(root.path(), &format!("bad{i}"), manifest);
            let err = Image::load(&dir).unwrap_err();
            assert!(err.to_string().contains(expected), "{manifest:?}: {err}");
        }
        let dir = image_dir(root.path(), "typo", "name = \"x\"\nentrypoint = [\"a\"]\nenvs = {}");
        let err = Image::load(&dir).unwrap_err();
        let text = crate::error::chain(&err);
        assert!(text.contains("unknown field `envs`"), "{text}");
    }

    #[test]
    fn lists_valid_images_and_finds_them_by_name_or_id() {
        let root = tempfile::tempdir().unwrap();
        image_dir(root.path(), "a", "name = \"team/sip\"\nentrypoint = [\"a\"]");
        image_dir(root.path(), "b", "name = \"busybox:1.36\"\nentrypoint = [\"b\"]");
        image_dir(root.path(), "c", "name = \"team/sip:latest\"\nentrypoint = [\"dup\"]");
        image_dir(root.path(), "d", "entrypoint = [\"invalid\"]");
        image_dir(root.path(), ".import-1", "name = \"hidden\"\nentrypoint = [\"h\"]");
        let images = list(root.path()).unwrap();
        let names: Vec<_> = images.iter().map(|i| i.manifest.name.as_str()).collect();
        assert_eq!(names, ["team/sip", "busybox:1.36"]);
        assert_eq!(find(&images, "team/sip:latest").unwrap().manifest.name, "team/sip");
        assert_eq!(find(&images, "busybox:1.36").unwrap().manifest.name, "busybox:1.36");
        assert!(find(&images, "busybox").is_none());
        let id = images[1].info.id.clone();
        assert_eq!(find(&images, &id).unwrap().info.id, id);
        assert_eq!(find(&images, &id[7..20]).unwrap().info.id, id);
        assert!(find(&images, "").is_none());
        assert!(list(&root.path().join("missing")).unwrap().is_empty());
    }
}
