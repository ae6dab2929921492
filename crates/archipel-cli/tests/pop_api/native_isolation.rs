//! A native container is isolated as a Docker one is: it sees only its own processes, its own
//! host name and its own files (an overlay on its image: what another container or the host
//! holds is not there, and what it writes stays in it), it cannot mount or make device nodes,
//! and its flavour's memory limit is enforced: a workload over it is killed, FAILED saying so,
//! while one under it is re-adopted by a popd restarted after `kill -9`, in the same cgroups.
//! Removal leaves no namespace, mount, cgroup or state directory.

use std::fs;
use std::path::Path;
use std::time::Duration;

use archipel_proto::v1 as pb;
use archipel_testkit::{sh, PopdRuntime};
use pb::container::Status;

use crate::harness::{authed, by_name, metadata, Site, IMAGE};

/// `pop exec NAME -- ARGV`: the command's output and exit code.
fn exec(site: &Site, name: &str, argv: &[&str]) -> (String, i64) {
    let out = site.cli(&[&["exec", name, "--"], argv].concat());
    let view: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("exec {argv:?}: {}", String::from_utf8_lossy(&out.stderr)));
    (
        view["output"].as_str().unwrap_or_default().to_owned(),
        view["exitCode"].as_i64().unwrap_or(-1),
    )
}

/// The directories named for this popd's workloads under the cgroup controllers, and its
/// mounts seen from the host.
fn cgroups_and_mounts(site: &Site) -> Vec<String> {
    let prefix = site.popd.native_netns_prefix();
    let mut left = Vec::new();
    for controller in ["memory", "cpu", "pids", "unified"] {
        let dir = Path::new("/sys/fs/cgroup").join(controller).join("archipel");
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) {
                left.push(format!("cgroup {controller}/{name}"));
            }
        }
    }
    let data = site.popd.data_dir.path().display().to_string();
    let mounts = fs::read_to_string("/proc/self/mountinfo").unwrap();
    left.extend(mounts.lines().filter(|l| l.contains(&data)).map(|l| format!("mount {l}")));
    left
}

/// The memory limit of the cgroup a `/proc/self/cgroup` names (cgroup v1's memory controller,
/// or v2's unified hierarchy).
fn memory_limit(proc_self_cgroup: &str) -> String {
    let lines = || proc_self_cgroup.lines();
    let v1 = lines().find_map(|l| l.split_once(":memory:").map(|(_, p)| p.to_owned()));
    let file = match v1 {
        Some(path) => format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"),
        None => {
            let path = lines().find_map(|l| l.strip_prefix("0::")).expect("a cgroup");
            format!("/sys/fs/cgroup{path}/memory.max")
        }
    };
    fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}")).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root and Docker"]
async fn a_native_container_sees_only_its_own_processes_name_and_files() {
    archipel_testkit::require_docker();
    let site = Site::new(PopdRuntime::Native, &[]);
    let root = tempfile::tempdir().unwrap();
    let tag = format!("archipel-test/{}:1", site.name("iso"));
    let archive = root.path().join("image.tar");
    crate::native_images::docker_saved(
        &tag,
        "FROM archipel-test/busybox:latest\nRUN echo image >/shared\nCMD [\"sleep\", \"600\"]\n",
        &archive,
    );
    site.cli_json(&["image", "import", &archive.display().to_string()]);
    let (a, b) = (site.name("a"), site.name("b"));
    for name in [&a, &b] {
        site.cli_json(&["spawn", &format!("image={tag}"), &format!("name={name}")]);
    }
    // Something only the host has.
    let marker = format!("/tmp/{}-host-only", site.name("marker"));
    let secret = format!("only-on-the-host-{}", std::process::id());
    fs::write(&marker, &secret).unwrap();

    // Its processes: PID 1 (its supervisor), its workload (and the sleep it runs) and ps.
    let (ps, code) = exec(&site, &a, &["ps", "-o", "pid,args"]);
    assert_eq!(code, 0, "{ps}");
    let rows: Vec<&str> = ps.lines().skip(1).collect();
    assert!(rows.len() <= 5, "a sees more than its own processes:\n{ps}");
    assert!(rows.iter().any(|r| r.trim_start().starts_with("1 ")), "no PID 1:\n{ps}");
    // PID 1's arguments name host paths (a known difference from Docker, where PID 1 is the
    // workload); popd itself, and b, are not there.
    assert!(!ps.contains("archipel popd") && !ps.contains(&b), "a sees other processes:\n{ps}");
    let (hostname, _) = exec(&site, &a, &["hostname"]);
    assert_eq!(hostname.trim(), a);

    // Its files: the image's, not the host's; b's writes are b's alone, and the image is
    // untouched.
    let (seen, code) = exec(&site, &a, &["cat", &marker]);
    assert!(code != 0 && !seen.contains(&secret), "a reads the host's {marker}: {seen}");
    let (_, code) = exec(&site, &b, &["sh", "-c", "echo b >/shared && echo secret >/b-only"]);
    assert_eq!(code, 0);
    let (shared, _) = exec(&site, &a, &["cat", "/shared"]);
    assert_eq!(shared, "image\n", "b's write reached a");
    let (seen, code) = exec(&site, &a, &["cat", "/b-only"]);
    assert_ne!(code, 0, "a reads b's file: {seen}");
    assert!(!Path::new("/b-only").exists(), "b's write reached the host");
    let image_dir = tag.replace(['/', ':'], "_");
    let images = site.popd.images_dir();
    let rootfs = fs::read_dir(&images)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().contains(&image_dir))
        .map(|e| e.path().join("rootfs"))
        .expect("the imported image");
    assert_eq!(fs::read_to_string(rootfs.join("shared")).unwrap(), "image\n");
    assert!(!rootfs.join("b-only").exists(), "b wrote into the image");

    // Nothing outside its root: not the host's name, not its supervisor's exit file (a
    // descriptor kept across the pivot), not its supervisor's working directory.
    let host_name = fs::read_to_string("/etc/hostname").unwrap_or_default();
    let (seen, _) = exec(&site, &a, &["cat", "/etc/hostname"]);
    assert!(host_name.trim().is_empty() || !seen.contains(host_name.trim()), "{seen}");
    for target in ["/proc/1/fd/9", "/proc/1/cwd/../escape"] {
        let (out, code) = exec(&site, &a, &["sh", "-c", &format!("echo 0 >{target}")]);
        assert_ne!(code, 0, "a wrote {target}: {out}");
    }
    let (cwd, _) = exec(&site, &a, &["sh", "-c", "ls -d /proc/1/cwd/. 2>&1; readlink /proc/1/cwd"]);
    assert!(!cwd.contains("workloads"), "PID 1 works in a host directory: {cwd}");

    // Docker's capabilities, less: no mount, no device node, no clock.
    for (what, argv) in [
        ("mount a tmpfs", vec!["mount", "-t", "tmpfs", "x", "/mnt"]),
        ("make a disk's node", vec!["mknod", "/disk", "b", "8", "0"]),
        ("set the clock", vec!["date", "-s", "2000-01-01"]),
    ] {
        let (out, code) = exec(&site, &a, &argv);
        // busybox's date says so but exits 0.
        assert!(code != 0 || out.contains("not permitted"), "a could {what}: {out}");
    }

    site.cli_json(&["rm", &a, &b]);
    fs::remove_file(&marker).ok();
    assert_eq!(site.leftovers(&[]), "", "a namespace is left");
    assert_eq!(cgroups_and_mounts(&site), Vec::<String>::new());
    let workloads = site.popd.data_dir.path().join("native/workloads");
    let left: Vec<_> = fs::read_dir(&workloads).into_iter().flatten().flatten().collect();
    assert!(left.is_empty(), "state left: {left:?}");
    sh(&format!("docker rmi {tag} >/dev/null 2>&1 || true"));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn a_workload_over_its_flavour_s_memory_is_killed_and_failed_as_out_of_memory() {
    let mut site =
        Site::new(PopdRuntime::Native, &["--flavour", "small:memory=64M,cpus=0.5,pids=64"]);
    let flavours = site.cli_json(&["flavours"]);
    let names: Vec<&str> =
        flavours.as_array().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(names, ["docker.container", "small"], "{flavours}");
    let unknown = site.cli(&["create", &format!("image={IMAGE}"), "name=x", "flavour=huge"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("huge"), "{unknown:?}");

    let (mut c, token) = site.login().await;
    let (hog, calm) = (site.name("hog"), site.name("calm"));
    // 256 MiB held in a shell variable; then a calm one under the same flavour, which runs on.
    let hungry = "x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo survived ${#x}";
    for (name, cmd) in [(&hog, hungry), (&calm, "cat /proc/self/cgroup; exec sleep 600")] {
        site.cli_json(&[
            "create",
            &format!("image={IMAGE}"),
            &format!("name={name}"),
            "flavour=small",
        ]);
        c.metadata(authed(
            &token,
            pb::NewMetadata { filter: Some(by_name(name)), md: metadata(&[("CMD", cmd)]) },
        ))
        .await
        .expect("metadata");
        c.start(authed(&token, by_name(name))).await.expect("start");
    }
    let failed = site.wait_status(&token, &hog, Status::Failed).await;
    assert_eq!(failed.exit_code, Some(137), "{failed:?}");
    let status = failed.extended_status.clone();
    assert!(status.contains("out of memory"), "FAILED without the reason: {status}");
    let logs = site.cli(&["logs", &hog]);
    assert!(!String::from_utf8_lossy(&logs.stdout).contains("survived"));

    // The calm one is in its cgroups, with the flavour's limits, and runs on.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let logs = String::from_utf8_lossy(&site.cli(&["logs", &calm]).stdout).into_owned();
    assert_eq!(memory_limit(&logs), (64u64 << 20).to_string(), "{logs}");
    let running = site.cli_json(&["servers"]);
    let view = running.as_array().unwrap().iter().find(|s| s["name"] == calm.as_str()).cloned();
    let view = view.unwrap_or_else(|| panic!("no {calm} in {running}"));
    assert_eq!(view["status"], "RUNNING", "{running}");

    // kill -9 of popd and a restart: the same processes, in the same cgroups, re-adopted.
    let addr =
        view["ips"].as_object().unwrap().values().next().unwrap()[0].as_str().unwrap().to_owned();
    let placed = |site: &Site| -> Vec<(u32, String)> {
        let mut placed: Vec<_> = site
            .pids(&calm, &addr)
            .into_iter()
            .map(|pid| (pid, fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default()))
            .collect();
        placed.sort();
        placed
    };
    let before = placed(&site);
    assert!(before.iter().any(|(_, cg)| cg.contains("/archipel/")), "not in a cgroup: {before:?}");
    site.popd.restart();
    let (_, token) = site.login().await;
    let readopted = site.wait_status(&token, &calm, Status::Running).await;
    assert_eq!(readopted.names[0], calm);
    assert_eq!(placed(&site), before, "the workload changed at the restart");

    site.cli_json(&["rm", &hog, &calm]);
    assert_eq!(site.leftovers(&[]), "", "a namespace is left");
    assert_eq!(cgroups_and_mounts(&site), Vec::<String>::new());
}
