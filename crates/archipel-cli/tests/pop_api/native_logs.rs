//! `pop logs` on large native logs: a last line over 4 MiB answers its last part, marked
//! truncated, instead of failing; and a workload's log is rotated past popd's
//! `--log-max-bytes`, one rotated file kept, `pop logs` reading across both.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::PopdRuntime;
use pb::container::Status;

use crate::harness::{authed, by_name, config, metadata, Site, IMAGE};

/// The most output one Logs reply carries.
const REPLY: usize = 4 * 1024 * 1024 - 4096;

async fn run_to_end(site: &Site, name: &str, cmd: &str, want: Status) {
    let (mut c, token) = site.login().await;
    c.create(authed(&token, config(name, IMAGE, &[]))).await.expect("create");
    let md = metadata(&[("CMD", cmd)]);
    c.metadata(authed(&token, pb::NewMetadata { filter: Some(by_name(name)), md }))
        .await
        .expect("metadata");
    c.start(authed(&token, by_name(name))).await.expect("start");
    if want != Status::Running {
        site.wait_status(&token, name, want).await;
    }
}

/// `pop logs ARGS`: stdout and stderr; panics if it fails.
fn logs(site: &Site, args: &[&str]) -> (Vec<u8>, String) {
    let out = site.popd.cli().args(["pop", "logs"]).args(args).output().expect("run pop logs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "pop logs {args:?} failed: {stderr}");
    (out.stdout, stderr)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn a_log_over_a_reply_answers_its_last_part_marked_truncated() {
    let site = Site::new(PopdRuntime::Native, &[]);
    let name = site.name("long");
    let cmd = "/bin/busybox echo first; /bin/busybox head -c 5000000 /dev/zero | \
               /bin/busybox tr '\\0' x; /bin/busybox echo END";
    run_to_end(&site, &name, cmd, Status::Exited).await;

    for args in [&[name.as_str(), "--tail", "1"][..], &[name.as_str()][..]] {
        let (out, stderr) = logs(&site, args);
        assert_eq!(out.len(), REPLY, "{args:?}");
        assert!(out.ends_with(b"xxxxEND\n"), "{args:?}");
        assert!(stderr.contains("truncated"), "{args:?}: {stderr}");
    }
    let (out, stderr) = logs(&site, &[&name, "--tail", "2"]);
    assert_eq!(out.len(), REPLY);
    assert!(stderr.contains("truncated"), "{stderr}");
}

/// The workload's log files under popd's data directory.
fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(log_files(&path));
        } else if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("output.log")) {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn a_native_log_is_rotated_past_the_cap_and_read_across_the_rotation() {
    const CAP: u64 = 64 * 1024;
    let site = Site::new(PopdRuntime::Native, &["--log-max-bytes", &CAP.to_string()]);
    let name = site.name("chatty");
    // The last lines come after a pause in which the log is rotated, so none of them can be
    // lost to a rotation (copy and truncate loses what is written in between).
    let cmd = "i=0; while [ $i -lt 40000 ]; do echo \"line $i of a chatty workload\"; \
               i=$((i+1)); [ $i = 39998 ] && /bin/busybox sleep 1; done; echo done-writing; \
               exec /bin/busybox sleep 600";
    run_to_end(&site, &name, cmd, Status::Running).await;

    // About 1.2 MB written; once it is all out, the log and its rotated file are each capped.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (last, _) = logs(&site, &[&name, "--tail", "1"]);
        let files = log_files(site.popd.data_dir.path());
        let sizes: Vec<u64> =
            files.iter().map(|f| std::fs::metadata(f).map_or(0, |m| m.len())).collect();
        if last == b"done-writing\n" && files.len() == 2 && sizes.iter().all(|s| *s <= CAP) {
            break;
        }
        assert!(Instant::now() < deadline, "never capped: {files:?} {sizes:?} last {last:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (all, stderr) = logs(&site, &[&name]);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(all.len() as u64 <= 2 * CAP, "{} bytes", all.len());
    assert!(all.ends_with(b"of a chatty workload\ndone-writing\n"));
    let (three, _) = logs(&site, &[&name, "--tail", "3"]);
    assert_eq!(
        String::from_utf8_lossy(&three),
        "line 39998 of a chatty workload\nline 39999 of a chatty workload\ndone-writing\n"
    );
}
