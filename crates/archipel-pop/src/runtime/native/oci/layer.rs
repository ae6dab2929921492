//! One layer (a tar, plain or gzip) unpacked over a root filesystem, as an image's layers stack:
//! its whiteouts first (`.wh.NAME` removes NAME, `.wh..wh..opq` empties its directory, of what
//! the layers below made), then its entries. Nothing is ever written outside the root: a path
//! with `..` is refused, and so is one that goes through a symbolic link (a layer could make
//! `etc` a link to the host's `/etc`, then write `etc/passwd`).

use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::os::unix::fs::{symlink, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use tar::EntryType;

use super::{bad, Budget};
use crate::runtime::native::error::NativeError;

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// Unpacks `layer` over `root`.
pub(in crate::runtime::native) fn apply(
    root: &Path,
    layer: &Path,
    budget: &mut Budget,
) -> Result<(), NativeError> {
    for_each(layer, |path, _| {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return Ok(()) };
        if !name.starts_with(WHITEOUT) {
            return Ok(());
        }
        let dir = parent_in(root, &path, layer)?;
        if name == OPAQUE {
            return empty(&dir);
        }
        remove(&dir.join(&name[WHITEOUT.len()..]))
    })?;
    for_each(layer, |path, entry| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(WHITEOUT) {
            return Ok(());
        }
        write(root, &path, entry, layer, budget)
    })
}

/// Checks that the layer's uncompressed tar is the one its image's config names (`diff_id`).
pub(in crate::runtime::native) fn verify(layer: &Path, diff_id: &str) -> Result<(), NativeError> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut open(layer)?, &mut hasher).map_err(NativeError::io("read", layer))?;
    let digest = format!("sha256:{}", hex::encode(hasher.finalize()));
    if digest != diff_id {
        return Err(bad(
            layer,
            format!("does not match its diff_id {diff_id:.80} (it is {digest})"),
        ));
    }
    Ok(())
}

/// Calls `f` with each entry of the tar (gzip or not) at `layer` and its path, relative and
/// free of `..`; the root itself is skipped.
fn for_each(
    layer: &Path,
    mut f: impl FnMut(PathBuf, &mut tar::Entry<'_, Box<dyn Read>>) -> Result<(), NativeError>,
) -> Result<(), NativeError> {
    let mut archive = tar::Archive::new(open(layer)?);
    let entries = archive.entries().map_err(NativeError::io("read", layer))?;
    for entry in entries {
        let mut entry = entry.map_err(NativeError::io("read", layer))?;
        let raw = entry.path().map_err(NativeError::io("read", layer))?.into_owned();
        let Some(path) = relative(&raw) else {
            return Err(bad(layer, format!("holds {}, a path out of the image", raw.display())));
        };
        if path.as_os_str().is_empty() {
            continue;
        }
        f(path, &mut entry)?;
    }
    Ok(())
}

/// The layer's stream, gunzipped when it is gzip.
fn open(layer: &Path) -> Result<Box<dyn Read>, NativeError> {
    let mut file = BufReader::new(File::open(layer).map_err(NativeError::io("open", layer))?);
    let mut magic = [0u8; 4];
    let n = file.get_mut().read(&mut magic).map_err(NativeError::io("read", layer))?;
    drop(file);
    let file = File::open(layer).map_err(NativeError::io("open", layer))?;
    match &magic[..n] {
        [0x1f, 0x8b, ..] => Ok(Box::new(flate2::read::GzDecoder::new(BufReader::new(file)))),
        [0x28, 0xb5, 0x2f, 0xfd] => {
            Err(bad(layer, "is zstd-compressed; only plain and gzip layers are taken".to_owned()))
        }
        _ => Ok(Box::new(BufReader::new(file))),
    }
}

/// `raw` as a path of normal components only (`./` and a leading `/` dropped); None when it
/// climbs with `..`.
pub(super) fn relative(raw: &Path) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for component in raw.components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

/// The directory of `path` inside `root`, made if missing, reached through directories only.
fn parent_in(root: &Path, path: &Path, layer: &Path) -> Result<PathBuf, NativeError> {
    let mut dir = root.to_owned();
    for part in path.parent().into_iter().flat_map(Path::components) {
        dir.push(part);
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) if meta.file_type().is_symlink() => {
                let through = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
                return Err(bad(
                    layer,
                    format!("writes {} through the symbolic link {through}", path.display()),
                ));
            }
            Ok(_) => {
                fs::remove_file(&dir).map_err(NativeError::io("replace", &dir))?;
                make_dir(&dir)?;
            }
            Err(_) => make_dir(&dir)?,
        }
    }
    Ok(dir)
}

/// A directory no layer describes, as Docker makes one: 0755 whatever popd's umask (owner-only
/// would lock every user but root out of the image).
pub(super) fn make_dir(dir: &Path) -> Result<(), NativeError> {
    fs::create_dir(dir).map_err(NativeError::io("create", dir))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
        .map_err(NativeError::io("set the permissions of", dir))
}

/// Removes what is at `path`, a directory with its content; a link is removed, not followed.
fn remove(path: &Path) -> Result<(), NativeError> {
    match fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() => {
            fs::remove_dir_all(path).map_err(NativeError::io("remove", path))
        }
        Ok(_) => fs::remove_file(path).map_err(NativeError::io("remove", path)),
    }
}

/// Removes everything in directory `dir`.
fn empty(dir: &Path) -> Result<(), NativeError> {
    for entry in fs::read_dir(dir).map_err(NativeError::io("list", dir))? {
        remove(&entry.map_err(NativeError::io("list", dir))?.path())?;
    }
    Ok(())
}

fn write(
    root: &Path,
    path: &Path,
    entry: &mut tar::Entry<'_, Box<dyn Read>>,
    layer: &Path,
    budget: &mut Budget,
) -> Result<(), NativeError> {
    let kind = entry.header().entry_type();
    let mode = entry.header().mode().map_err(NativeError::io("read", layer))? & 0o7777;
    let owner = (entry.header().uid().ok(), entry.header().gid().ok());
    budget.entry(layer)?;
    let dest = parent_in(root, path, layer)?.join(path.file_name().unwrap_or_default());
    match kind {
        EntryType::Directory => {
            match fs::symlink_metadata(&dest) {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => {
                    remove(&dest)?;
                    fs::create_dir(&dest).map_err(NativeError::io("create", &dest))?;
                }
                Err(_) => fs::create_dir(&dest).map_err(NativeError::io("create", &dest))?,
            }
            own(&dest, owner, Some(mode))
        }
        EntryType::Regular | EntryType::Continuous => {
            remove(&dest)?;
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&dest)
                .map_err(NativeError::io("create", &dest))?;
            let copied = std::io::copy(&mut budget.limit(entry), &mut file)
                .map_err(NativeError::io("write", &dest))?;
            budget.spent(copied, layer)?;
            own(&dest, owner, Some(mode))
        }
        EntryType::Symlink => {
            let target = entry.link_name().map_err(NativeError::io("read", layer))?;
            let target =
                target.ok_or_else(|| bad(layer, format!("{} links nowhere", path.display())))?;
            remove(&dest)?;
            symlink(&target, &dest).map_err(NativeError::io("create the link", &dest))?;
            own(&dest, owner, None)
        }
        EntryType::Link => {
            let target = entry.link_name().map_err(NativeError::io("read", layer))?;
            let target = target.and_then(|t| relative(&t)).ok_or_else(|| {
                bad(layer, format!("{} is a hard link out of the image", path.display()))
            })?;
            let source =
                parent_in(root, &target, layer)?.join(target.file_name().unwrap_or_default());
            remove(&dest)?;
            fs::hard_link(&source, &dest).map_err(NativeError::io("link", &dest))
        }
        // Devices and FIFOs are the runtime's to give (the workload sees its own /dev).
        _ => Ok(()),
    }
}

/// Gives `path` the layer's owner and, unless it is a link, its mode (after the owner: a
/// change of owner drops the set-id bits).
fn own(
    path: &Path,
    (uid, gid): (Option<u64>, Option<u64>),
    mode: Option<u32>,
) -> Result<(), NativeError> {
    let id = |v: Option<u64>| v.and_then(|v| u32::try_from(v).ok());
    std::os::unix::fs::lchown(path, id(uid), id(gid))
        .map_err(NativeError::io("set the owner of", path))?;
    if let Some(mode) = mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(NativeError::io("set the permissions of", path))?;
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A layer holding `entries`: (path, content or link target, kind).
    pub(in crate::runtime::native::oci) fn layer(
        dir: &Path,
        name: &str,
        entries: &[(&str, &str, EntryType)],
    ) -> PathBuf {
        let path = dir.join(name);
        let mut builder = tar::Builder::new(File::create(&path).unwrap());
        for (entry, data, kind) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_mode(if *kind == EntryType::Directory { 0o755 } else { 0o644 });
            header.set_uid(0);
            header.set_gid(0);
            match kind {
                EntryType::Symlink | EntryType::Link => {
                    header.set_size(0);
                    builder.append_link(&mut header, entry, data).unwrap();
                }
                _ => {
                    header.set_size(data.len() as u64);
                    builder.append_data(&mut header, entry, data.as_bytes()).unwrap();
                }
            }
        }
        builder.finish().unwrap();
        path
    }

    fn budget() -> Budget {
        Budget::new(1 << 20, 1000)
    }

    use EntryType::{Directory as D, Link as H, Regular as F, Symlink as S};

    #[test]
    fn layers_stack_with_whiteouts_and_opaque_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("rootfs");
        fs::create_dir(&root).unwrap();
        let lower = layer(
            tmp.path(),
            "l1",
            &[
                ("etc/", "", D),
                ("etc/a", "a", F),
                ("etc/b", "b", F),
                ("var/lib/x/", "", D),
                ("var/lib/x/old", "old", F),
                ("bin/sh", "sh", F),
                ("bin/ash", "bin/sh", H),
                ("usr/lib", "", D),
                ("lib", "usr/lib", S),
            ],
        );
        let upper = layer(
            tmp.path(),
            "l2",
            &[
                ("var/lib/x/new", "new", F),
                ("var/lib/x/.wh..wh..opq", "", F),
                ("etc/.wh.a", "", F),
                ("etc/b", "b2", F),
                ("./opt/", "", D),
            ],
        );
        let mut budget = budget();
        apply(&root, &lower, &mut budget).unwrap();
        apply(&root, &upper, &mut budget).unwrap();
        assert!(!root.join("etc/a").exists());
        assert_eq!(fs::read_to_string(root.join("etc/b")).unwrap(), "b2");
        let kept: Vec<_> =
            fs::read_dir(root.join("var/lib/x")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(kept, ["new"], "the opaque directory keeps only its layer's entries");
        assert_eq!(fs::read_to_string(root.join("bin/ash")).unwrap(), "sh");
        assert_eq!(fs::read_link(root.join("lib")).unwrap(), Path::new("usr/lib"));
        assert!(root.join("opt").is_dir());
        assert_eq!(fs::metadata(root.join("etc/b")).unwrap().permissions().mode() & 0o777, 0o644);
    }

    #[test]
    fn nothing_is_written_outside_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("rootfs");
        fs::create_dir(&root).unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let mut budget = budget();
        let through = layer(
            tmp.path(),
            "through",
            &[("etc", outside.to_str().unwrap(), S), ("etc/passwd", "root::0:0", F)],
        );
        let err = apply(&root, &through, &mut budget).unwrap_err();
        assert!(
            err.to_string().contains("writes etc/passwd through the symbolic link etc"),
            "{err}"
        );
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);

        let climbing = tmp.path().join("climb");
        let mut builder = tar::Builder::new(File::create(&climbing).unwrap());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(F);
        header.set_size(1);
        header.set_mode(0o644);
        // The builder refuses `..` itself: the name goes into the header by hand.
        header.as_gnu_mut().unwrap().name[..9].copy_from_slice(b"../escape");
        header.set_cksum();
        builder.append(&header, &b"x"[..]).unwrap();
        builder.finish().unwrap();
        let err = apply(&root, &climbing, &mut budget).unwrap_err();
        assert!(err.to_string().contains("a path out of the image"), "{err}");
        assert!(!tmp.path().join("escape").exists());

        let hard = layer(tmp.path(), "hard", &[("x", "../../etc/shadow", H)]);
        let err = apply(&root, &hard, &mut budget).unwrap_err();
        assert!(err.to_string().contains("hard link out of the image"), "{err}");
    }

    #[test]
    fn an_image_larger_than_its_budget_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("rootfs");
        fs::create_dir(&root).unwrap();
        let big =
            layer(tmp.path(), "big", &[("a", &"x".repeat(300), F), ("b", &"y".repeat(300), F)]);
        let err = apply(&root, &big, &mut Budget::new(500, 10)).unwrap_err();
        assert!(err.to_string().contains("unpacks to more than 500 bytes"), "{err}");
        let many = layer(tmp.path(), "many", &[("a", "", F), ("b", "", F), ("c", "", F)]);
        let err = apply(&root, &many, &mut Budget::new(500, 2)).unwrap_err();
        assert!(err.to_string().contains("more than 2 entries"), "{err}");
    }
}
