//! The native example images (examples/images/native/*), embedded in the binary and imported
//! into the lab's image catalogue as `archipel pop image import` does. The SIPp images get a
//! root filesystem made from the host's sipp and busybox by examples/images/sipp-rootfs.sh
//! (embedded too), the same files as their Docker twins', so the demo needs no Docker and no
//! registry.

use std::path::Path;

use anyhow::Context as _;
use archipel_pop::runtime::native::import_image;

/// One image directory: its name in the catalogue and its files.
struct ImageDir {
    dir: &'static str,
    files: &'static [(&'static str, &'static [u8])],
}

macro_rules! image_file {
    ($dir:literal, $file:literal) => {
        (
            $file,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../examples/images/native/",
                $dir,
                "/",
                $file
            )) as &[u8],
        )
    };
}

/// Makes a SIPp image's root filesystem: `sh -c SIPP_ROOTFS sipp-rootfs ENTRYPOINT ROOTFS`.
const SIPP_ROOTFS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/images/sipp-rootfs.sh"));

/// Every file of every image directory; a test checks that none is missing.
const IMAGES: &[ImageDir] = &[
    ImageDir {
        dir: "echo",
        files: &[image_file!("echo", "manifest.toml"), image_file!("echo", "entrypoint.sh")],
    },
    ImageDir {
        dir: "sipp-client",
        files: &[
            image_file!("sipp-client", "manifest.toml"),
            image_file!("sipp-client", "entrypoint.sh"),
        ],
    },
    ImageDir {
        dir: "sipp-server",
        files: &[
            image_file!("sipp-server", "manifest.toml"),
            image_file!("sipp-server", "entrypoint.sh"),
        ],
    },
];

/// Installs every image into `images_dir` (popd's --images-dir) through the native runtime's
/// own import, which checks each manifest and puts each copy in place whole; returns their
/// names. The embedded files are unpacked beside the catalogue's images first, in a directory
/// popd skips (its name starts with a dot), and removed afterwards.
pub fn install(images_dir: &Path) -> anyhow::Result<Vec<String>> {
    let unpacked = images_dir.join(format!(".demo-images-{}", std::process::id()));
    let names = IMAGES.iter().map(|image| install_one(images_dir, &unpacked, image)).collect();
    std::fs::remove_dir_all(&unpacked)
        .with_context(|| format!("removing {}", unpacked.display()))?;
    names
}

fn install_one(images_dir: &Path, unpacked: &Path, image: &ImageDir) -> anyhow::Result<String> {
    let src = unpacked.join(image.dir);
    std::fs::create_dir_all(&src).with_context(|| format!("creating {}", src.display()))?;
    for (file, bytes) in image.files {
        let path = src.join(file);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    if image.dir.starts_with("sipp-") {
        let out = std::process::Command::new("/bin/sh")
            .args(["-c", SIPP_ROOTFS, "sipp-rootfs"])
            .arg(src.join("entrypoint.sh"))
            .arg(src.join("rootfs"))
            .output()
            .context("running /bin/sh")?;
        if !out.status.success() {
            anyhow::bail!(
                "making the root filesystem of the {} image failed: {}",
                image.dir,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    let info = import_image(images_dir, &src)
        .with_context(|| format!("importing the {} image", image.dir))?;
    Ok(info.names.into_iter().next().unwrap_or_else(|| image.dir.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const NATIVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/images/native");

    fn listed(dir: &Path) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    #[test]
    fn every_example_image_and_file_is_embedded() {
        let embedded: BTreeSet<String> = IMAGES.iter().map(|i| i.dir.to_owned()).collect();
        assert_eq!(embedded, listed(Path::new(NATIVE)), "examples/images/native changed");
        for image in IMAGES {
            let files: BTreeSet<String> =
                image.files.iter().map(|(f, _)| (*f).to_owned()).collect();
            assert_eq!(files, listed(&Path::new(NATIVE).join(image.dir)), "{}", image.dir);
        }
    }

    #[test]
    fn installs_each_directory_as_it_is_and_nothing_else() {
        let root = tempfile::tempdir().unwrap();
        let images = root.path().join("images");
        let names = install(&images).unwrap();
        assert_eq!(
            names,
            [
                "archipel-test/busybox:latest",
                "mcilloni/sipp-client:latest",
                "mcilloni/sipp-server:latest"
            ]
        );
        let installed = listed(&images);
        assert_eq!(installed.len(), IMAGES.len(), "only the images are left: {installed:?}");
        for image in IMAGES {
            let holds = |dir: &String| {
                image.files.iter().all(|(file, bytes)| {
                    let original = std::fs::read(Path::new(NATIVE).join(image.dir).join(file));
                    let copy = std::fs::read(images.join(dir).join(file));
                    *bytes == original.unwrap().as_slice() && copy.is_ok_and(|c| c == *bytes)
                })
            };
            assert!(installed.iter().any(holds), "{} is not installed as it is", image.dir);
        }
    }
}
