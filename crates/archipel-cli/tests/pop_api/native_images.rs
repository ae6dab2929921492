//! Image import against hostile directories, through `archipel pop image import`: a FIFO is
//! refused without being opened, links are never followed out of the image (a manifest linked to
//! /etc/shadow leaks none of it; a `rootfs` linked to `/` is refused), and nothing is staged.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use archipel_testkit::{sh, PopdRuntime};

use crate::harness::Site;

/// The entries of the site's image catalogue.
fn catalogue(site: &Site) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = fs::read_dir(site.popd.images_dir())
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Imports `dir`; the command must fail with INVALID_ARGUMENT and leave the catalogue as it
/// was (no staging directory). Returns its stderr.
fn refused(site: &Site, dir: &Path) -> String {
    let before = catalogue(site);
    let out = site.cli(&["image", "import", &dir.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{} was imported", dir.display());
    assert!(stderr.contains("(INVALID_ARGUMENT)"), "{stderr}");
    assert_eq!(catalogue(site), before, "the catalogue changed after a refusal");
    stderr
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn import_refuses_special_files_and_links_out_of_the_image() {
    let site = Site::new(PopdRuntime::Native, &[]);
    let root = tempfile::tempdir().unwrap();
    let image = |dir: &str, manifest: &str| {
        let dir = root.path().join(dir);
        fs::create_dir_all(&dir).unwrap();
        if !manifest.is_empty() {
            fs::write(dir.join("manifest.toml"), manifest).unwrap();
        }
        dir
    };
    let plain = "name = \"hostile\"\nentrypoint = [\"/bin/true\"]\n";

    let fifo = image("fifo", plain);
    sh(&format!("mkfifo {}", fifo.join("pipe").display()));
    let stderr = refused(&site, &fifo);
    assert!(stderr.contains("pipe is a FIFO, device or socket"), "{stderr}");

    let shadow = image("shadow", "");
    symlink("/etc/shadow", shadow.join("manifest.toml")).unwrap();
    let stderr = refused(&site, &shadow);
    assert!(stderr.contains("is not a regular file"), "{stderr}");
    let secret = fs::read_to_string("/etc/shadow").unwrap();
    for line in secret.lines().filter(|l| l.len() > 4) {
        let user = line.split(':').next().unwrap_or_default();
        assert!(!stderr.contains(&format!("{user}:")), "the error leaks /etc/shadow: {stderr}");
    }

    let chroot = image("chroot", "name = \"c\"\nentrypoint = [\"/bin/sh\"]\nrootfs = \"rootfs\"\n");
    symlink("/", chroot.join("rootfs")).unwrap();
    let stderr = refused(&site, &chroot);
    assert!(stderr.contains("the field `rootfs`") && stderr.contains("symbolic link"), "{stderr}");
}
