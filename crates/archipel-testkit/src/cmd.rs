use std::process::{Command, Output};

/// Runs a program and returns its output; panics with the command line if it cannot start.
pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} {args:?}: {e}"))
}

/// Runs a shell line, returns stdout; panics with stderr when it fails.
pub fn sh(line: &str) -> String {
    let out = run("sh", &["-c", line]);
    assert!(out.status.success(), "`{line}` failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `docker ARGS`, returning stdout (panics on failure).
pub fn docker(args: &[&str]) -> String {
    let out = run("docker", args);
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether `docker ARGS` succeeds.
pub fn docker_ok(args: &[&str]) -> bool {
    run("docker", args).status.success()
}

/// Fails the test (never skips it) when the Docker Engine does not answer, and makes sure the
/// test images exist.
pub fn require_docker() {
    assert!(
        docker_ok(&["info"]),
        "this test needs a running Docker Engine: run scripts/test.sh, which starts dockerd"
    );
    let script =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/images/build-docker-test-images.sh");
    let out = run("bash", &[script]);
    assert!(
        out.status.success(),
        "building the test images failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Fails the test (never skips it) when not running as root.
pub fn require_root() {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .unwrap_or_default();
    assert_eq!(uid, "0", "this test needs root (namespaces, bridges): run it as root");
}

/// The processes whose command line names `dir`, or whose working directory is under it: what
/// a daemon or a workload started for a test directory left running.
pub fn processes_under(dir: &std::path::Path) -> Vec<u32> {
    let needle = dir.as_os_str().as_encoded_bytes();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let named = cmdline.windows(needle.len()).any(|w| w == needle);
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd"));
            named || cwd.is_ok_and(|cwd| cwd.starts_with(dir))
        })
        .collect()
}
