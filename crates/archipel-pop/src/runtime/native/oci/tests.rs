//! Archives as `docker save` and OCI tools write them, made here from scratch.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tar::EntryType::{Directory as D, Regular as F, Symlink as S};

use super::layer::tests::layer;
use super::*;

/// The config of the two layers of [`layers`], their `diff_ids` filled in.
fn config(dir: &Path) -> String {
    let (base, top) = layers(dir);
    let id = |p: &Path| format!("\"sha256:{}\"", hex::encode(Sha256::digest(fs::read(p).unwrap())));
    format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Entrypoint":["/bin/run"],
        "Cmd":["--fast"],"Env":["PATH=/bin","MODE=test"],"WorkingDir":"/work"}},
        "rootfs":{{"type":"layers","diff_ids":[{},{}]}}}}"#,
        id(&base),
        id(&top)
    )
}

/// Tars the files of `dir` (relative names) into `to`, links as links.
fn tar_dir(dir: &Path, to: &Path) {
    let mut builder = tar::Builder::new(File::create(to).unwrap());
    builder.follow_symlinks(false);
    builder.append_dir_all(".", dir).unwrap();
    builder.finish().unwrap();
}

fn layers(dir: &Path) -> (PathBuf, PathBuf) {
    let base =
        layer(dir, "base.tar", &[("bin/", "", D), ("bin/run", "v1", F), ("etc/old", "x", F)]);
    let top = layer(
        dir,
        "top.tar",
        &[("bin/run", "v2", F), ("etc/.wh.old", "", F), ("sh", "bin/run", S)],
    );
    (base, top)
}

/// A `docker save` archive of one image; its second layer is the first's twin, linked.
fn docker_save(dir: &Path, tags: &str) -> PathBuf {
    let content = dir.join("save");
    fs::create_dir_all(content.join("aaa")).unwrap();
    fs::create_dir_all(content.join("bbb")).unwrap();
    let (base, top) = layers(dir);
    fs::copy(base, content.join("aaa/layer.tar")).unwrap();
    fs::copy(top, content.join("bbb/layer.tar")).unwrap();
    std::os::unix::fs::symlink("../aaa/layer.tar", content.join("ccc")).unwrap();
    fs::write(content.join("cfg.json"), config(dir)).unwrap();
    let manifest = format!(
        r#"[{{"Config":"cfg.json","RepoTags":{tags},"Layers":["aaa/layer.tar","bbb/layer.tar"]}}]"#
    );
    fs::write(content.join("manifest.json"), manifest).unwrap();
    let archive = dir.join("image.tar");
    tar_dir(&content, &archive);
    archive
}

fn put_blob(layout: &Path, bytes: &[u8]) -> String {
    let hex = hex::encode(Sha256::digest(bytes));
    fs::write(layout.join("blobs/sha256").join(&hex), bytes).unwrap();
    format!("sha256:{hex}")
}

/// An OCI image layout directory whose layers are gzip.
fn oci_layout(dir: &Path) -> PathBuf {
    let layout = dir.join("layout");
    fs::create_dir_all(layout.join("blobs/sha256")).unwrap();
    fs::write(layout.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let (base, top) = layers(dir);
    let gzip = |path: &Path| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::copy(&mut File::open(path).unwrap(), &mut encoder).unwrap();
        encoder.finish().unwrap()
    };
    let layer_digests = [put_blob(&layout, &gzip(&base)), put_blob(&layout, &gzip(&top))];
    let config = put_blob(&layout, config(dir).as_bytes());
    let layers: Vec<String> = layer_digests
        .iter()
        .map(|d| format!(r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{d}","size":1}}"#))
        .collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":1}},"layers":[{}]}}"#,
        layers.join(",")
    );
    let manifest = put_blob(&layout, manifest.as_bytes());
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest}","size":1,"annotations":{{"io.containerd.image.name":"team/run:2"}}}}]}}"#
    );
    fs::write(layout.join("index.json"), index).unwrap();
    layout
}

fn unpacked(src: &Path, dir: &Path) -> Result<(PathBuf, toml::Value), NativeError> {
    let dest = dir.join("image");
    unpack(src, &dest, &dir.join("scratch"))?;
    let manifest = fs::read_to_string(dest.join("manifest.toml")).unwrap();
    Ok((dest, toml::from_str(&manifest).unwrap()))
}

fn check(image: &Path, manifest: &toml::Value, name: &str, config: &str) {
    let rootfs = image.join("rootfs");
    assert_eq!(fs::read_to_string(rootfs.join("bin/run")).unwrap(), "v2");
    assert!(!rootfs.join("etc/old").exists(), "the whiteout removes the lower file");
    assert_eq!(fs::read_link(rootfs.join("sh")).unwrap(), Path::new("bin/run"));
    assert!(rootfs.join("work").is_dir() && rootfs.join("dev").is_dir());
    assert_eq!(manifest["name"].as_str(), Some(name));
    let entrypoint: Vec<&str> =
        manifest["entrypoint"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(entrypoint, ["/bin/run", "--fast"]);
    assert_eq!(manifest["env"]["MODE"].as_str(), Some("test"));
    assert_eq!(manifest["workdir"].as_str(), Some("/work"));
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(config.as_bytes())));
    assert_eq!(manifest["digest"].as_str(), Some(digest.as_str()));
}

#[test]
fn a_docker_save_archive_becomes_an_image() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = docker_save(tmp.path(), r#"["team/run:1"]"#);
    let (image, manifest) = unpacked(&archive, tmp.path()).unwrap();
    check(&image, &manifest, "team/run:1", &config(tmp.path()));
}

#[test]
fn an_oci_layout_with_gzip_layers_becomes_an_image_directly_or_tarred() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = oci_layout(tmp.path());
    let (image, manifest) = unpacked(&layout, tmp.path()).unwrap();
    check(&image, &manifest, "team/run:2", &config(tmp.path()));
    let tarred = tmp.path().join("layout.tar");
    tar_dir(&layout, &tarred);
    let other = tmp.path().join("again");
    fs::create_dir(&other).unwrap();
    let (image, manifest) = unpacked(&tarred, &other).unwrap();
    check(&image, &manifest, "team/run:2", &config(tmp.path()));
}

#[test]
fn archives_that_are_not_one_tagged_image_are_refused_saying_why() {
    let tmp = tempfile::tempdir().unwrap();
    let untagged = docker_save(&tmp.path().join("a"), "null");
    let err = unpacked(&untagged, &tmp.path().join("a")).unwrap_err();
    assert!(err.to_string().contains("names no image (no tag)"), "{err}");

    let b = tmp.path().join("b");
    let layout = oci_layout(&b);
    let index = fs::read_to_string(layout.join("index.json")).unwrap();
    let two = index.replace("\"manifests\":[{", "\"manifests\":[{\"digest\":\"x\"},{");
    fs::write(layout.join("index.json"), two).unwrap();
    let err = unpacked(&layout, &b).unwrap_err();
    assert!(err.to_string().contains("holds 2 manifests"), "{err}");
    fs::write(layout.join("index.json"), index).unwrap();
    let hex = hex::encode(Sha256::digest(config(&b).as_bytes()));
    let blob = layout.join("blobs/sha256").join(hex);
    fs::write(&blob, config(&b) + " ").unwrap();
    let err = unpacked(&layout, &b).unwrap_err();
    assert!(err.to_string().contains("does not match its digest"), "{err}");

    // A layer that is not the one the config names.
    let c = tmp.path().join("c");
    let archive = docker_save(&c, r#"["team/run:1"]"#);
    let content = c.join("save");
    fs::copy(content.join("aaa/layer.tar"), content.join("bbb/layer.tar")).unwrap();
    tar_dir(&content, &archive);
    let err = unpacked(&archive, &c).unwrap_err();
    assert!(err.to_string().contains("does not match its diff_id"), "{err}");

    let plain = tmp.path().join("plain.txt");
    fs::write(&plain, "not a tar").unwrap();
    let err = unpacked(&plain, tmp.path()).unwrap_err().to_string();
    // Not a tar: the error names the file it cannot read as one.
    assert_eq!(err, format!("cannot read {}", plain.display()));
}
