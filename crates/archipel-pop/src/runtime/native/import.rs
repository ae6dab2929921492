//! Adding an image to the catalogue (`archipel pop image import PATH`): an image directory, or
//! an OCI image (a `docker save` archive, an OCI image layout) made into one ([`oci`]).

use std::fs;
use std::os::unix::fs::{symlink, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::error::NativeError;
use super::image::{self, Image};
use super::oci;
use crate::runtime::ImageInfo;

/// Checks the image in `src` and copies it into `images_dir`, in a directory of its own. An
/// image whose name the catalogue already holds is refused: replacing one under running
/// containers is the operator's explicit act (removing its directory first). The copy is made
/// beside the catalogue's images and renamed into place, so the catalogue never holds half an
/// image.
pub fn import_image(images_dir: &Path, src: &Path) -> Result<ImageInfo, NativeError> {
    if oci::is_archive(src) {
        return import_oci(images_dir, src);
    }
    let not_an_image = |problem| NativeError::NotAnImage { path: src.to_owned(), problem };
    if !src.is_dir() {
        return Err(not_an_image("is not a directory"));
    }
    if fs::symlink_metadata(src.join(image::MANIFEST)).is_err() {
        return Err(not_an_image("holds no manifest.toml"));
    }
    let incoming = Image::load(src)?;
    fs::create_dir_all(images_dir).map_err(NativeError::io("create", images_dir))?;
    let existing = image::list(images_dir)?;
    if existing.iter().any(|i| image::same_name(&i.manifest.name, &incoming.manifest.name)) {
        return Err(NativeError::ImageExists(incoming.manifest.name));
    }
    let dest = free_dir(images_dir, &incoming)?;
    let staging = staging_dir(images_dir);
    let result = copy_tree(src, &staging)
        .and_then(|()| fs::rename(&staging, &dest).map_err(NativeError::io("rename into", &dest)));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    Ok(Image::load(&dest)?.info)
}

/// Unpacks an OCI image beside the catalogue's images and renames it into place. The same
/// image imported again (the same name and config: the same manifest, so the same id) is the
/// image already there; another image of that name is refused, as for a directory.
fn import_oci(images_dir: &Path, src: &Path) -> Result<ImageInfo, NativeError> {
    fs::create_dir_all(images_dir).map_err(NativeError::io("create", images_dir))?;
    let staging = staging_dir(images_dir);
    let scratch = oci::scratch_of(&staging);
    let result = place_oci(images_dir, src, &staging, &scratch);
    // Both are gone already when the image was renamed into place and had no archive.
    let _ = fs::remove_dir_all(&scratch);
    let _ = fs::remove_dir_all(&staging);
    result
}

fn place_oci(
    images_dir: &Path,
    src: &Path,
    staging: &Path,
    scratch: &Path,
) -> Result<ImageInfo, NativeError> {
    oci::unpack(src, staging, scratch)?;
    let incoming = Image::load(staging)?;
    let existing = image::list(images_dir)?;
    if let Some(held) =
        existing.iter().find(|i| image::same_name(&i.manifest.name, &incoming.manifest.name))
    {
        if held.info.id == incoming.info.id {
            return Ok(held.info.clone());
        }
        return Err(NativeError::ImageExists(incoming.manifest.name));
    }
    let dest = free_dir(images_dir, &incoming)?;
    fs::rename(staging, &dest).map_err(NativeError::io("rename into", &dest))?;
    Ok(Image::load(&dest)?.info)
}

fn staging_dir(images_dir: &Path) -> PathBuf {
    images_dir.join(format!(".import-{}-{}", std::process::id(), archipel_daemon::ids::new_id()))
}

/// A directory named after the image that no other image uses.
fn free_dir(images_dir: &Path, image: &Image) -> Result<PathBuf, NativeError> {
    let base: String = image
        .manifest
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
        .collect();
    let base = base.trim_start_matches('.').to_owned();
    let candidates = [base.clone(), format!("{base}-{}", &image.info.id[7..19])];
    candidates.into_iter().map(|name| images_dir.join(name)).find(|dir| !dir.exists()).ok_or_else(
        || NativeError::Io {
            what: "find a free directory for the image in",
            path: images_dir.to_owned(),
            source: std::io::ErrorKind::AlreadyExists.into(),
        },
    )
}

/// `cp -a SRC DEST` for files, directories and symbolic links; a link is copied as a link,
/// never followed, and a FIFO, device or socket is refused without being opened.
fn copy_tree(src: &Path, dest: &Path) -> Result<(), NativeError> {
    fs::create_dir(dest).map_err(NativeError::io("create", dest))?;
    let entries = fs::read_dir(src).map_err(NativeError::io("list", src))?;
    for entry in entries {
        let entry = entry.map_err(NativeError::io("list", src))?;
        let from = entry.path();
        let to = dest.join(entry.file_name());
        let kind = entry.file_type().map_err(NativeError::io("inspect", &from))?;
        if kind.is_dir() {
            copy_tree(&from, &to)?;
        } else if kind.is_symlink() {
            let target = fs::read_link(&from).map_err(NativeError::io("read the link", &from))?;
            symlink(&target, &to).map_err(NativeError::io("create the link", &to))?;
        } else if kind.is_file() {
            copy_file(&from, &to)?;
        } else {
            return Err(special(from));
        }
    }
    let permissions = fs::metadata(src).map_err(NativeError::io("inspect", src))?.permissions();
    fs::set_permissions(dest, permissions).map_err(NativeError::io("set the permissions of", dest))
}

fn special(path: PathBuf) -> NativeError {
    NativeError::NotAnImage {
        path,
        problem: "is a FIFO, device or socket; an image holds only regular files, directories \
                  and symbolic links",
    }
}

/// Copies a regular file with its permissions. It is opened without following a link and
/// without blocking, and checked again once open, as it may have been replaced meanwhile.
fn copy_file(from: &Path, to: &Path) -> Result<(), NativeError> {
    let mut src = fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(from)
        .map_err(NativeError::io("open", from))?;
    let meta = src.metadata().map_err(NativeError::io("inspect", from))?;
    if !meta.is_file() {
        return Err(special(from.to_owned()));
    }
    let mut dest = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(meta.permissions().mode())
        .open(to)
        .map_err(NativeError::io("create", to))?;
    std::io::copy(&mut src, &mut dest).map_err(NativeError::io("copy", from))?;
    fs::set_permissions(to, meta.permissions())
        .map_err(NativeError::io("set the permissions of", to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(root: &Path, name: &str, script: &str) -> PathBuf {
        let dir = root.join(format!("src-{script}"));
        fs::create_dir_all(dir.join("lib")).unwrap();
        fs::write(
            dir.join(image::MANIFEST),
            format!("name = \"{name}\"\nentrypoint = [\"./run.sh\"]\n"),
        )
        .unwrap();
        fs::write(dir.join("run.sh"), script).unwrap();
        fs::set_permissions(dir.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(dir.join("lib/data"), "x").unwrap();
        symlink("run.sh", dir.join("start")).unwrap();
        dir
    }

    #[test]
    fn copies_an_image_in_and_refuses_a_second_of_the_same_name() {
        let root = tempfile::tempdir().unwrap();
        let catalogue = root.path().join("images");
        let first = import_image(&catalogue, &source(root.path(), "team/sip:v1", "one")).unwrap();
        let dir = catalogue.join("team_sip_v1");
        assert_eq!(fs::read_to_string(dir.join("run.sh")).unwrap(), "one");
        assert_eq!(fs::read_to_string(dir.join("lib/data")).unwrap(), "x");
        assert_eq!(fs::read_link(dir.join("start")).unwrap(), Path::new("run.sh"));
        let mode = fs::metadata(dir.join("run.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);

        assert!(first.id.starts_with("sha256:"));

        let err = import_image(&catalogue, &source(root.path(), "team/sip:v1", "two")).unwrap_err();
        assert!(matches!(&err, NativeError::ImageExists(name) if name == "team/sip:v1"), "{err}");
        assert_eq!(fs::read_to_string(dir.join("run.sh")).unwrap(), "one");
        let other = import_image(&catalogue, &source(root.path(), "team/sip:v2", "three")).unwrap();
        assert_eq!(other.names, ["team/sip:v2"]);
        let mut names: Vec<_> = fs::read_dir(&catalogue)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["team_sip_v1", "team_sip_v2"], "nothing staged is left behind");
    }

    #[test]
    fn refuses_special_files_and_links_it_would_follow() {
        let root = tempfile::tempdir().unwrap();
        let catalogue = root.path().join("images");
        let src = source(root.path(), "fifo", "x");
        nix::unistd::mkfifo(&src.join("lib/pipe"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        let err = import_image(&catalogue, &src).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "lib/pipe is a FIFO, device or socket; an image holds \
            only regular files, directories and symbolic links"
            ),
            "{err}"
        );
        assert_eq!(fs::read_dir(&catalogue).unwrap().count(), 0, "the staging directory stays");

        let secret = root.path().join("secret");
        fs::write(&secret, "root:$6$hash\n").unwrap();
        let linked = root.path().join("linked");
        fs::create_dir(&linked).unwrap();
        symlink(&secret, linked.join(image::MANIFEST)).unwrap();
        let err = import_image(&catalogue, &linked).unwrap_err();
        assert!(err.to_string().contains("is not a regular file"), "{err}");
        assert!(!crate::error::chain(&err).contains("root:"), "{err}");

        let chroot = source(root.path(), "rootfs", "y");
        let manifest = "name = \"r\"\nentrypoint = [\"/bin/sh\"]\nrootfs = \"rootfs\"\n";
        fs::write(chroot.join(image::MANIFEST), manifest).unwrap();
        symlink("/", chroot.join("rootfs")).unwrap();
        let err = import_image(&catalogue, &chroot).unwrap_err();
        assert!(err.to_string().contains("a symbolic link is refused"), "{err}");
        assert_eq!(fs::read_dir(&catalogue).unwrap().count(), 0);
    }

    #[test]
    fn a_syntax_error_names_the_line_not_its_text() {
        let root = tempfile::tempdir().unwrap();
        let src = root.path().join("bad");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join(image::MANIFEST), "name = \"x\"\nroot:$6$secret:19000::\n").unwrap();
        let err = import_image(&root.path().join("images"), &src).unwrap_err();
        let text = crate::error::chain(&err);
        assert!(text.contains("invalid TOML at line 2"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn refuses_an_invalid_image_and_leaves_the_catalogue_alone() {
        let root = tempfile::tempdir().unwrap();
        let src = root.path().join("bad");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join(image::MANIFEST), "name = \"x\"\n").unwrap();
        let catalogue = root.path().join("images");
        let err = import_image(&catalogue, &src).unwrap_err();
        assert!(err.to_string().contains("`entrypoint` is required"), "{err}");
        assert!(!catalogue.exists());
        let err = import_image(&catalogue, &root.path().join("missing")).unwrap_err();
        assert!(err.to_string().ends_with("missing is not a directory"), "{err}");
        let empty = root.path().join("empty");
        fs::create_dir_all(&empty).unwrap();
        let err = import_image(&catalogue, &empty).unwrap_err();
        assert!(err.to_string().ends_with("empty holds no manifest.toml"), "{err}");
    }
}
