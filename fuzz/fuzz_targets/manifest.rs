//! The native runtime's image manifest (`manifest.toml`, what `pop image import` and popd's
//! catalogue read): any bytes in an image directory give an image or an error, never a panic,
//! and an accepted manifest names its image and its program.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One image directory for the run: a `rootfs/` directory and a `link` to `/` beside the
/// manifest, for the manifest to name.
fn image_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a scratch directory").keep();
        std::fs::create_dir(dir.join("rootfs")).expect("rootfs/");
        std::os::unix::fs::symlink("/", dir.join("link")).expect("a link");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = image_dir();
    std::fs::write(dir.join("manifest.toml"), data).expect("write the manifest");
    if let Ok(image) = archipel_pop::runtime::native::check_image(dir) {
        assert!(!image.names.is_empty() && !image.names[0].is_empty());
        assert!(image.id.starts_with("sha256:"));
    }
});
