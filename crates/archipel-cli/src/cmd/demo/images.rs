//! The native example images (examples/images/native/*), embedded in the binary and installed
//! into the lab's image catalogue as examples/images/build-native-images.sh does: each image
//! directory copied as it is, replacing an older copy. They run the host's programs (sipp for
//! the SIPp images), so the demo needs no Docker and no registry.

use std::path::Path;

use anyhow::Context as _;

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

/// Installs every image into `images_dir` (popd's --images-dir); returns their names.
pub fn install(images_dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(images_dir)
        .with_context(|| format!("creating the image catalogue {}", images_dir.display()))?;
    IMAGES.iter().map(|image| install_one(images_dir, image)).collect()
}

/// Written aside, then put in place of an older copy: popd never sees half an image (it skips
/// directories whose names start with a dot).
fn install_one(images_dir: &Path, image: &ImageDir) -> anyhow::Result<String> {
    let staging = images_dir.join(format!(".import-{}-{}", image.dir, std::process::id()));
    let target = images_dir.join(image.dir);
    remove(&staging)?;
    std::fs::create_dir(&staging).with_context(|| format!("creating {}", staging.display()))?;
    for (file, bytes) in image.files {
        let path = staging.join(file);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    remove(&target)?;
    std::fs::rename(&staging, &target)
        .with_context(|| format!("moving {} to {}", staging.display(), target.display()))?;
    Ok(manifest_name(image).unwrap_or_else(|| image.dir.to_owned()))
}

fn remove(dir: &Path) -> anyhow::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// The `name = "…"` line of the image's manifest.
fn manifest_name(image: &ImageDir) -> Option<String> {
    let (_, manifest) = image.files.iter().find(|(file, _)| *file == "manifest.toml")?;
    let text = std::str::from_utf8(manifest).ok()?;
    let line = text.lines().find(|l| l.trim_start().starts_with("name"))?;
    let value = line.split_once('=')?.1.trim();
    Some(value.trim_matches('"').to_owned())
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
    fn installs_each_directory_as_it_is() {
        let root = tempfile::tempdir().unwrap();
        let images = root.path().join("images");
        std::fs::create_dir_all(images.join("sipp-server")).unwrap();
        std::fs::write(images.join("sipp-server/stale"), "old").unwrap();
        let names = install(&images).unwrap();
        assert_eq!(
            names,
            [
                "archipel-test/busybox:latest",
                "mcilloni/sipp-client:latest",
                "mcilloni/sipp-server:latest"
            ]
        );
        assert_eq!(listed(&images), listed(Path::new(NATIVE)));
        for image in IMAGES {
            for (file, bytes) in image.files {
                let original = std::fs::read(Path::new(NATIVE).join(image.dir).join(file)).unwrap();
                assert_eq!(*bytes, original.as_slice());
                assert_eq!(std::fs::read(images.join(image.dir).join(file)).unwrap(), original);
            }
        }
        install(&images).unwrap();
    }
}
