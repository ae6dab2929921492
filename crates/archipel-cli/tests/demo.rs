//! `archipel demo` end to end, as scripts/demo.sh runs it: a two-site lab, the SIPp network
//! service across it, SIPp's counters on stdout, then nothing left: no namespace of the lab
//! (sites, hub, containers), no host link, no process, no file under its directory. Each run
//! has a lab name and an underlay of its own, so the tests run side by side.
//!
//! Needs root (namespaces, links) and sipp: fails, never skips, without them.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use archipel_testkit::{native, processes_under, require_root, sipp_counter, unique, TestSubnet};

const BIN: &str = env!("CARGO_BIN_EXE_archipel");
/// Not the default (10), so that the counter shows the flag was heeded.
const CALLS: u64 = 7;
/// How long one demo may take before the test gives up on it.
const LIMIT: Duration = Duration::from_secs(240);

/// One demo's directory, lab name and underlay; whatever a failing test leaves is taken down.
struct Run {
    dir: PathBuf,
    name: String,
    underlay: String,
    subnet: TestSubnet,
    _root: tempfile::TempDir,
}

impl Run {
    fn new() -> Self {
        require_root();
        let subnet = TestSubnet::lease();
        let root = tempfile::tempdir().expect("a temporary directory");
        // Canonical: popd names its container namespaces after its canonical state directory.
        let dir = root.path().canonicalize().expect("canonical temporary directory").join("demo");
        Self { dir, name: unique("d"), underlay: subnet.slash24(15), subnet, _root: root }
    }

    /// `archipel demo` with this run's directory, name and underlay, and `extra`.
    fn command(&self, extra: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("demo");
        self.with_args(cmd, extra)
    }

    /// The README's first command, `bash scripts/demo.sh`, run as written but on the binary
    /// under test (ARCHIPEL_BIN) instead of a fresh build.
    fn script(&self, extra: &[&str]) -> Command {
        let mut cmd = Command::new("bash");
        cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/demo.sh"))
            .env("ARCHIPEL_BIN", BIN);
        self.with_args(cmd, extra)
    }

    fn with_args(&self, mut cmd: Command, extra: &[&str]) -> Command {
        cmd.arg("--dir")
            .arg(&self.dir)
            .args(["--name", &self.name, "--underlay", &self.underlay])
            .args(extra)
            .stdin(Stdio::null());
        cmd
    }

    /// What is left of the lab: namespaces, the host link, processes, files.
    fn leftovers(&self) -> Vec<String> {
        let mut left = Vec::new();
        let listed = text(&archipel_testkit::run("ip", &["netns", "list"]).stdout);
        let mut prefixes: Vec<String> =
            ["a", "b", "hub"].iter().map(|s| format!("{}-{s}", self.name)).collect();
        for site in ["a", "b"] {
            let data = self.dir.join(site).join("popd");
            prefixes.push(native::netns_prefix(&format!("{}-{site}", self.name), &data));
        }
        for ns in listed.lines().filter_map(|l| l.split_whitespace().next()) {
            if prefixes.iter().any(|p| ns == p || (p.starts_with("apc") && ns.starts_with(p))) {
                left.push(format!("namespace {ns}"));
            }
        }
        let host_link = format!("{}h", self.name);
        if archipel_testkit::run("ip", &["link", "show", &host_link]).status.success() {
            left.push(format!("host link {host_link}"));
        }
        left.extend(processes_under(&self.dir).into_iter().map(|p| format!("process {p}")));
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            left.extend(entries.map(|e| format!("file {}", e.unwrap().path().display())));
        }
        if archipel_testkit::docker_ok(&["info"]) {
            let label = format!("label=archipel.popd={}-b", self.name);
            for what in [&["ps", "-aq"][..], &["network", "ls", "-q"]] {
                let ids = archipel_testkit::docker(&[what, &["--filter", &label]].concat());
                left.extend(ids.split_whitespace().map(|id| format!("docker object {id}")));
            }
        }
        left
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if std::thread::panicking() && self.dir.join("lab.json").exists() {
            let _ = Command::new(BIN).arg("lab").arg("--dir").arg(&self.dir).arg("down").output();
        }
    }
}

#[test]
#[ignore = "needs root"]
fn the_readme_demo_command_answers_every_call_across_the_sites_and_leaves_nothing() {
    let run = Run::new();
    answers_every_call(&run, run.script(&[]));
}

#[test]
#[ignore = "needs root and docker"]
fn the_demo_on_a_native_and_a_docker_site_answers_every_call_and_leaves_nothing() {
    archipel_testkit::require_docker();
    let run = Run::new();
    let subnet = run.subnet.slash24(14);
    answers_every_call(&run, run.command(&["--runtime", "docker", "--docker-subnet", &subnet]));
}

/// Runs `demo` (given its run's flags) for [`CALLS`] calls: every call answered, the steps
/// shown, nothing left.
fn answers_every_call(run: &Run, mut demo: Command) {
    let child = demo
        .args(["--calls", &CALLS.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run archipel demo");
    let out = wait_bounded(child);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let shown = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(out.status.success(), "the demo failed: {:?}\n{shown}", out.status);
    assert_eq!(sipp_counter(&stdout, "Successful call"), Some(CALLS), "SIPp's counter\n{shown}");
    assert_eq!(sipp_counter(&stdout, "Failed call"), Some(0), "{shown}");
    assert_eq!(
        sipp_counter(&stdout, "Incoming calls created"),
        Some(CALLS),
        "the server's\n{shown}"
    );
    assert!(stdout.contains("extensionInfo:") && stdout.contains("masterVimId: a"), "{shown}");
    for step in ["==> lab up", "==> launch", "==> terminate", "==> lab down", "==> done in"] {
        assert!(stdout.contains(step), "no step {step}\n{shown}");
    }
    assert_eq!(run.leftovers(), Vec::<String>::new(), "{shown}");
}

#[test]
#[ignore = "needs root"]
fn an_interrupted_demo_takes_everything_down() {
    let run = Run::new();
    let mut child = run
        .command(&[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run archipel demo");
    // Interrupted once the network service is being launched: the lab, the NFVO and (soon) the
    // containers and the extension exist.
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (lines, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let deadline = Instant::now() + LIMIT;
    let mut shown = String::new();
    loop {
        let line = seen.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let line = line.unwrap_or_else(|_| panic!("the demo never launched:\n{shown}"));
        shown += &format!("{line}\n");
        if line.starts_with("==> launch") {
            break;
        }
    }
    let kill = archipel_testkit::run("kill", &["-INT", &child.id().to_string()]);
    assert!(kill.status.success(), "kill -INT failed");
    let out = wait_bounded(child);
    shown.extend(seen.try_iter().map(|l| l + "\n"));
    shown += &format!("stderr:\n{}", text(&out.stderr));
    assert!(!out.status.success(), "an interrupted demo must fail\n{shown}");
    assert!(shown.contains("==> SIGINT: taking everything down"), "{shown}");
    assert!(shown.contains("interrupted by SIGINT"), "{shown}");
    assert_eq!(run.leftovers(), Vec::<String>::new(), "{shown}");
}

/// Waits for the demo, at most [`LIMIT`]; then SIGINT (it tears down), then SIGKILL. Its
/// output still piped is read as it comes, so that a full pipe never blocks it.
fn wait_bounded(mut child: Child) -> Output {
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the demo") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = archipel_testkit::run("kill", &["-INT", &child.id().to_string()]);
            std::thread::sleep(Duration::from_secs(30));
            let _ = child.kill();
            let _ = child.wait();
            let out = |t: Option<std::thread::JoinHandle<Vec<u8>>>| {
                text(&t.map(|t| t.join().unwrap_or_default()).unwrap_or_default())
            };
            panic!("the demo ran over {LIMIT:?}:\n{}\n{}", out(stdout), out(stderr));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let collect = |t: Option<std::thread::JoinHandle<Vec<u8>>>| {
        t.map(|t| t.join().expect("the output reader")).unwrap_or_default()
    };
    Output { status, stdout: collect(stdout), stderr: collect(stderr) }
}

/// Reads `pipe` to its end in a thread of its own.
fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
