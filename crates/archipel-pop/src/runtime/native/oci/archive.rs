//! What an image archive holds: its name, its config and its layers in order. Two formats:
//! `docker save`'s (`manifest.json` naming the config and the layer tars) and the OCI image
//! layout (`oci-layout`, `index.json`, content under `blobs/sha256/`); a tar of either is
//! unpacked first (it is one more layer, without whiteouts).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{bad, layer, Budget};
use crate::runtime::native::error::NativeError;

/// The largest JSON document of an archive read: manifests, indexes and configs are small.
const JSON_LIMIT: u64 = 4 * 1024 * 1024;

/// An image as an archive holds it.
#[derive(Debug)]
pub(super) struct Parts {
    /// Its name with its tag, when the archive gives one.
    pub(super) name: Option<String>,
    pub(super) config: Vec<u8>,
    /// Each layer, with the digest of its uncompressed tar (the config's `diff_ids`).
    pub(super) layers: Vec<(PathBuf, String)>,
}

#[derive(Deserialize)]
struct Config {
    rootfs: RootFs,
}

#[derive(Deserialize)]
struct RootFs {
    diff_ids: Vec<String>,
}

/// Pairs each layer with its `diff_id`; the config must name as many as there are layers.
fn with_diff_ids(
    config: &[u8],
    layers: Vec<PathBuf>,
    src: &Path,
) -> Result<Vec<(PathBuf, String)>, NativeError> {
    let config: Config = serde_json::from_slice(config)
        .map_err(|e| bad(src, format!("has a config without rootfs.diff_ids: {e}")))?;
    if config.rootfs.diff_ids.len() != layers.len() {
        return Err(bad(
            src,
            format!(
                "has {} layers, but its config names {}",
                layers.len(),
                config.rootfs.diff_ids.len()
            ),
        ));
    }
    Ok(layers.into_iter().zip(config.rootfs.diff_ids).collect())
}

/// Reads the image at `src`: a directory, or a tar unpacked into `scratch` first.
pub(super) fn read(src: &Path, scratch: &Path, budget: &mut Budget) -> Result<Parts, NativeError> {
    let root = if src.is_file() {
        fs::create_dir_all(scratch).map_err(NativeError::io("create", scratch))?;
        layer::apply(scratch, src, budget)?;
        scratch.to_owned()
    } else {
        src.to_owned()
    };
    if root.join("manifest.json").is_file() {
        docker(&root, src)
    } else if root.join("index.json").is_file() && root.join("oci-layout").is_file() {
        oci(&root, src)
    } else {
        Err(bad(
            src,
            "is neither a docker save archive (manifest.json) nor an OCI image layout \
             (oci-layout, index.json)"
                .to_owned(),
        ))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

fn docker(root: &Path, src: &Path) -> Result<Parts, NativeError> {
    let entries: Vec<DockerEntry> = json(root, "manifest.json", src)?;
    let [entry] = entries.as_slice() else {
        return Err(bad(src, format!("holds {} images: save one per archive", entries.len())));
    };
    let layers = entry.layers.iter().map(|l| within(root, l, src)).collect::<Result<_, _>>()?;
    let config = read_limited(&within(root, &entry.config, src)?)?;
    Ok(Parts {
        name: entry.repo_tags.as_ref().and_then(|t| t.first().cloned()),
        layers: with_diff_ids(&config, layers, src)?,
        config,
    })
}

#[derive(Deserialize)]
struct Index {
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    digest: String,
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Manifest {
    config: Descriptor,
    layers: Vec<Descriptor>,
}

fn oci(root: &Path, src: &Path) -> Result<Parts, NativeError> {
    let index: Index = json(root, "index.json", src)?;
    let [entry] = index.manifests.as_slice() else {
        return Err(bad(
            src,
            format!(
                "holds {} manifests: export one image, for one platform",
                index.manifests.len()
            ),
        ));
    };
    if entry.media_type.contains("index") {
        return Err(bad(src, "names a multi-platform index: export one platform".to_owned()));
    }
    let manifest: Manifest = serde_json::from_slice(&blob(root, &entry.digest, src)?)
        .map_err(|e| bad(src, format!("has an unreadable manifest: {e}")))?;
    let name = ["io.containerd.image.name", "org.opencontainers.image.ref.name"]
        .iter()
        .find_map(|key| entry.annotations.get(*key))
        // A bare tag names no image.
        .filter(|name| name.contains(['/', ':']))
        .cloned();
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for layer in &manifest.layers {
        if layer.media_type.contains("zstd") {
            return Err(bad(
                src,
                "has zstd layers: only plain and gzip layers are taken".to_owned(),
            ));
        }
        layers.push(blob_path(root, &layer.digest, src)?);
    }
    let config = blob(root, &manifest.config.digest, src)?;
    Ok(Parts { name, layers: with_diff_ids(&config, layers, src)?, config })
}

/// `blobs/sha256/HEX` of a digest, checked to be one.
fn blob_path(root: &Path, digest: &str, src: &Path) -> Result<PathBuf, NativeError> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| bad(src, format!("names the digest {digest:.80}, which is no sha256")))?;
    within(root, &format!("blobs/sha256/{hex}"), src)
}

/// A small blob's content, checked against its digest.
fn blob(root: &Path, digest: &str, src: &Path) -> Result<Vec<u8>, NativeError> {
    let bytes = read_limited(&blob_path(root, digest, src)?)?;
    if format!("sha256:{}", hex::encode(Sha256::digest(&bytes))) != digest {
        return Err(bad(src, format!("has a blob that does not match its digest {digest}")));
    }
    Ok(bytes)
}

fn json<T: serde::de::DeserializeOwned>(
    root: &Path,
    name: &str,
    src: &Path,
) -> Result<T, NativeError> {
    let bytes = read_limited(&within(root, name, src)?)?;
    serde_json::from_slice(&bytes).map_err(|e| bad(src, format!("has an unreadable {name}: {e}")))
}

fn read_limited(path: &Path) -> Result<Vec<u8>, NativeError> {
    let meta = fs::metadata(path).map_err(NativeError::io("read", path))?;
    if meta.len() > JSON_LIMIT {
        return Err(bad(
            path,
            "is larger than 4 MiB, the limit for a manifest or config".to_owned(),
        ));
    }
    fs::read(path).map_err(NativeError::io("read", path))
}

/// The file `rel` names inside `root`: a relative path whose links (an archive links a layer
/// it holds twice) stay inside `root`, to a regular file.
fn within(root: &Path, rel: &str, src: &Path) -> Result<PathBuf, NativeError> {
    let out = || bad(src, format!("names {rel:.200}, which is no file of the archive"));
    let relative = layer::relative(Path::new(rel)).ok_or_else(out)?;
    let base = root.canonicalize().map_err(NativeError::io("resolve", root))?;
    let path = base.join(relative).canonicalize().map_err(|_| out())?;
    if !path.starts_with(&base) || !path.is_file() {
        return Err(out());
    }
    Ok(path)
}
