//! OCI images into the native catalogue. A `docker save` archive, or an OCI image layout (a
//! directory, or a tar of one), becomes a native image directory: its layers unpacked in order
//! into `rootfs/` (whiteouts honoured), and a `manifest.toml` that runs the image's Entrypoint
//! and Cmd with its Env, WorkingDir and User, as Docker would. The manifest carries the config's
//! digest, so the same image imported twice is the same image (stored once).

mod archive;
mod config;
mod layer;

use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::NativeError;

/// The most an image may unpack to, archive and layers together.
pub(super) const BYTES_LIMIT: u64 = 4 << 30;
/// The most entries (files, directories, links) it may hold.
pub(super) const ENTRIES_LIMIT: u64 = 1_000_000;

/// Whether `src` is an image archive or an OCI layout rather than an image directory.
pub(super) fn is_archive(src: &Path) -> bool {
    src.is_file() || src.join("oci-layout").is_file()
}

/// Unpacks the image at `src` into `dest` (made here: `manifest.toml` and `rootfs/`), using
/// `scratch` for an archive's content; the caller removes both on failure.
pub(super) fn unpack(src: &Path, dest: &Path, scratch: &Path) -> Result<(), NativeError> {
    let mut budget = Budget::new(BYTES_LIMIT, ENTRIES_LIMIT);
    let parts = archive::read(src, scratch, &mut budget)?;
    let name = parts.name.ok_or_else(|| {
        bad(
            src,
            "names no image (no tag): tag it before saving (docker tag ID NAME:TAG)".to_owned(),
        )
    })?;
    std::fs::create_dir_all(dest).map_err(NativeError::io("create", dest))?;
    let rootfs = dest.join("rootfs");
    layer::make_dir(&rootfs)?;
    for (layer, diff_id) in &parts.layers {
        layer::verify(layer, diff_id)?;
        layer::apply(&rootfs, layer, &mut budget)?;
    }
    let manifest = config::manifest(&name, &parts.config, &rootfs, src)?;
    let path = dest.join(super::image::MANIFEST);
    std::fs::write(&path, manifest).map_err(NativeError::io("write", &path))
}

fn bad(path: &Path, problem: String) -> NativeError {
    NativeError::BadOciImage { path: path.to_owned(), problem }
}

/// What an image may still unpack to.
#[derive(Debug)]
pub(super) struct Budget {
    bytes: u64,
    entries: u64,
    bytes_left: u64,
    entries_left: u64,
}

impl Budget {
    pub(super) fn new(bytes: u64, entries: u64) -> Self {
        Self { bytes, entries, bytes_left: bytes, entries_left: entries }
    }

    /// One more entry.
    fn entry(&mut self, layer: &Path) -> Result<(), NativeError> {
        self.entries_left = self
            .entries_left
            .checked_sub(1)
            .ok_or_else(|| bad(layer, format!("unpacks to more than {} entries", self.entries)))?;
        Ok(())
    }

    /// `reader`, cut one byte past what is left, so that an overrun is seen.
    fn limit<R: Read>(&self, reader: R) -> std::io::Take<R> {
        reader.take(self.bytes_left.saturating_add(1))
    }

    fn spent(&mut self, n: u64, layer: &Path) -> Result<(), NativeError> {
        self.bytes_left = self.bytes_left.checked_sub(n).ok_or_else(|| {
            let limit = match self.bytes {
                b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
                b => format!("{b} bytes"),
            };
            bad(layer, format!("unpacks to more than {limit}"))
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

/// Where an archive's content goes while it is read: beside the staging directory.
pub(super) fn scratch_of(staging: &Path) -> PathBuf {
    let mut name = staging.as_os_str().to_owned();
    name.push(".archive");
    PathBuf::from(name)
}
