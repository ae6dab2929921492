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

/// Builds `tag` with Docker from `dockerfile` (on the local test image: no registry) and saves
/// it to `archive`; the tag is removed again.
pub(crate) fn docker_saved(tag: &str, dockerfile: &str, archive: &Path) {
    let context = tempfile::tempdir().unwrap();
    fs::write(context.path().join("Dockerfile"), dockerfile).unwrap();
    let dir = context.path().display();
    sh(&format!(
        "DOCKER_BUILDKIT=0 docker build --network none --quiet --tag {tag} {dir} >/dev/null"
    ));
    sh(&format!("docker save -o {} {tag}", archive.display()));
    sh(&format!("docker rmi {tag} >/dev/null"));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root and Docker"]
async fn a_docker_saved_image_runs_with_its_entrypoint_cmd_env_workdir_and_user() {
    archipel_testkit::require_docker();
    let site = Site::new(PopdRuntime::Native, &[]);
    let root = tempfile::tempdir().unwrap();
    let tag = format!("archipel-test/{}:1", site.name("oci"));
    let archive = root.path().join("image.tar");
    docker_saved(
        &tag,
        r#"FROM archipel-test/busybox:latest
RUN mkdir -p /srv/data && echo kept >/srv/data/file && echo gone >/srv/data/old && rm /srv/data/old
ENV GREETING=hello PLACE=docker
WORKDIR /srv/app
USER 1000:1000
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo \"$GREETING from $PLACE in $(pwd) as $(id -u):$(id -g)\"; ls /dev | tr '\\n' ' '; echo; exec sleep 600"]
"#,
        &archive,
    );
    let path = archive.display().to_string();
    let imported = site.cli_json(&["image", "import", &path]);
    assert_eq!(imported["names"][0], tag.as_str(), "{imported}");
    // The same image again is the one held: nothing is stored twice.
    let again = site.cli_json(&["image", "import", &path]);
    assert_eq!(again["id"], imported["id"]);
    let dir = tag.replace(['/', ':'], "_");
    let all = catalogue(&site);
    let held: Vec<_> = all.iter().filter(|n| n.to_string_lossy().contains(&dir)).collect();
    assert_eq!(held.len(), 1, "{all:?}");
    assert!(all.iter().all(|n| !n.to_string_lossy().starts_with('.')), "staged: {all:?}");

    // The metadata overrides the image's Env, as Docker's run -e does.
    let name = site.name("run");
    site.cli_json(&["create", &format!("image={tag}"), &format!("name={name}")]);
    site.cli_json(&["md", "set", &name, "PLACE=archipel"]);
    site.cli_json(&["start", &name]);
    let mut logs = String::new();
    for _ in 0..100 {
        let out = site.cli(&["logs", &name]);
        logs = String::from_utf8_lossy(&out.stdout).into_owned();
        if logs.contains("null") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(logs.contains("hello from archipel in /srv/app as 1000:1000"), "{logs}");
    for device in ["null", "zero", "urandom", "shm"] {
        assert!(logs.split_whitespace().any(|w| w == device), "no /dev/{device}: {logs}");
    }
    let out =
        site.cli(&["exec", &name, "--", "sh", "-c", "cat /srv/data/file; ls /srv/data; id -u"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(view["output"], "kept\nfile\n1000\n", "{view}");
    // Its own UTS namespace: the Pop container's name is its host name.
    let out = site.cli(&["exec", &name, "--", "hostname"]);
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(view["output"], format!("{name}\n"), "{view}");
    assert_ne!(std::fs::read_to_string("/etc/hostname").unwrap().trim(), name);
    let out = site.cli(&["rm", &name]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Not an image: refused, saying what it is not, and nothing staged.
    let junk = root.path().join("junk.tar");
    fs::write(&junk, vec![0u8; 1024]).unwrap();
    let stderr = refused(&site, &junk);
    assert!(stderr.contains("neither a docker save archive"), "{stderr}");
}
