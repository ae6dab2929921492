//! A full disk is told as such: a Start whose workload's files cannot be written answers
//! RESOURCE_EXHAUSTED naming the path and what to free, not INTERNAL.

use std::path::{Path, PathBuf};

use archipel_testkit::{run, sh, PopdRuntime};
use tonic::Code;

use crate::harness::{authed, by_name, config, Site, IMAGE};

/// A small tmpfs mounted over a directory, unmounted on drop (also when the test fails).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        sh(&format!("mount -t tmpfs -o size={size},mode=700 archipel-test {}", dir.display()));
        Self(dir.to_owned())
    }

    /// Fills it up with one file.
    fn fill(&self) {
        let out = run("dd", &["if=/dev/zero", &format!("of={}/fill", self.0.display()), "bs=4k"]);
        assert!(!out.status.success(), "dd did not fill {}", self.0.display());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = run("umount", &["-l", &self.0.display().to_string()]);
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn a_full_disk_answers_resource_exhausted_naming_the_path() {
    let site = Site::new(PopdRuntime::Native, &[]);
    let (mut c, token) = site.login().await;
    let workloads = site.popd.data_dir.path().join("native").join("workloads");
    let disk = Tmpfs::mount(&workloads, "256k");
    disk.fill();

    let name = site.name("nospace");
    c.create(authed(&token, config(&name, IMAGE, &[]))).await.expect("create");
    let err = c.start(authed(&token, by_name(&name))).await.expect_err("start on a full disk");
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    let message = err.message();
    assert!(
        message.starts_with(&format!("the file system holding {}/", workloads.display())),
        "{message}"
    );
    assert!(message.contains("is full; free space there"), "{message}");

    // Once space is freed, the next container starts.
    std::fs::remove_file(workloads.join("fill")).unwrap();
    let next = site.name("space");
    c.create(authed(&token, config(&next, IMAGE, &[]))).await.expect("create");
    c.start(authed(&token, by_name(&next))).await.expect("start once space is free");
    drop(disk);
}
