//! TLS as a user meets it: `archipel pki` makes the certificates, every daemon refuses to start
//! without TLS unless told `--insecure` (and then only on loopback, unless told more), and a
//! client checks the server against its `--ca`, refusing another CA's with a clear error.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use archipel_testkit::{PopdProcess, PopdRuntime, TestSubnet};

const BIN: &str = env!("CARGO_BIN_EXE_archipel");

/// The NFVO's first admin in these tests, and the CLI's config directory its tokens go to.
const ADMIN_PASSWORD: &str = "tls-test-admin";

fn config_home() -> &'static Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn archipel(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("RUST_LOG", "error")
        .env_remove("ARCHIPEL_CA")
        .env_remove("ARCHIPEL_TOKEN")
        .env("NFVO_ADMIN", format!("admin:{ADMIN_PASSWORD}"))
        .env("XDG_CONFIG_HOME", config_home());
    cmd
}

/// `archipel login` as the NFVO's admin at `endpoint`, checking it against `ca`.
fn login(endpoint: &str, ca: &Path) {
    use std::io::Write;
    let mut child = archipel(&["login", "--endpoint", endpoint, "--user", "admin"])
        .args(["--password-stdin", "--ca"])
        .arg(ca)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{ADMIN_PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "login at {endpoint}: {}", stderr(&out));
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run archipel")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A CA made by `archipel pki init` in a directory of its own.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = run(archipel(&["pki", "init", "--dir"]).arg(dir.path().join("pki")));
        assert!(out.status.success(), "{}", stderr(&out));
        Pki { dir }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join("pki").join(file)
    }

    fn ca(&self) -> PathBuf {
        self.path("ca.pem")
    }

    /// `archipel pki issue` for 127.0.0.1 and localhost; returns the certificate and key.
    fn issue(&self, name: &str) -> (PathBuf, PathBuf) {
        let out = run(archipel(&["pki", "issue", "--dir"])
            .arg(self.dir.path().join("pki"))
            .args(["--name", name, "--dns", "localhost", "--ip", "127.0.0.1"]));
        assert!(out.status.success(), "{}", stderr(&out));
        (self.path(&format!("{name}.pem")), self.path(&format!("{name}.key")))
    }
}

/// A daemon started from the binary; its address read from its ready line. Killed on drop.
struct Daemon {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Daemon {
    fn start(args: &[&str], extra: &[&Path]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = archipel(args)
            .args(extra)
            .arg("--data-dir")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("the daemon exited before its ready line").unwrap();
            if let Some(addr) = archipel_daemon::ready::parse(&line) {
                break addr.to_owned();
            }
        };
        Daemon { child, addr, _dir: dir }
    }

    fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The agent's flags but those of TLS and the listen address.
const AGENT: [&str; 10] = [
    "agent",
    "--site",
    "a",
    "--pop",
    "http://127.0.0.1:9",
    "--pop-auth",
    "admin:unused",
    "--underlay-ip",
    "192.0.2.1",
    "--north-token",
];

/// Each daemon's command line up to its TLS flags, with a throw-away data directory.
fn daemons(dir: &Path) -> Vec<Vec<String>> {
    let data = dir.to_str().unwrap();
    let agent: Vec<&str> = AGENT.iter().copied().chain(["north-token"]).collect();
    [
        &["popd", "--data-dir", data][..],
        &["nfvo", "--data-dir", data][..],
        &[&agent[..], &["--data-dir", data]].concat()[..],
    ]
    .iter()
    .map(|args| args.iter().map(|a| (*a).to_owned()).collect())
    .collect()
}

fn daemon(args: &[String], more: &[&str]) -> Output {
    let words: Vec<&str> = args.iter().map(String::as_str).chain(more.iter().copied()).collect();
    run(archipel(&words).env("POPD_AUTH", "admin:secret"))
}

#[test]
fn a_daemon_without_tls_files_nor_insecure_refuses_to_start_saying_what_to_give() {
    let dir = tempfile::tempdir().unwrap();
    for args in daemons(dir.path()) {
        let out = daemon(&args, &["--listen", "127.0.0.1:0"]);
        assert!(!out.status.success(), "{args:?} started without TLS");
        let err = stderr(&out);
        assert!(err.contains("serves TLS: give --tls-cert and --tls-key"), "{args:?}: {err}");
        assert!(err.contains("or --insecure"), "{args:?}: {err}");
    }
}

#[test]
fn insecure_on_a_non_loopback_address_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for args in daemons(dir.path()) {
        let out = daemon(&args, &["--listen", "0.0.0.0:0", "--insecure"]);
        assert!(!out.status.success(), "{args:?} served plain text on 0.0.0.0");
        let err = stderr(&out);
        assert!(
            err.contains("--insecure refused on 0.0.0.0:0: it is not a loopback address"),
            "{args:?}: {err}"
        );
        assert!(err.contains("--insecure-non-loopback"), "{args:?}: {err}");
    }
    // Said twice, it is accepted.
    let nfvo = Daemon::start(
        &["nfvo", "--listen", "0.0.0.0:0", "--insecure", "--insecure-non-loopback"],
        &[],
    );
    assert!(nfvo.addr.starts_with("0.0.0.0:"), "{}", nfvo.addr);
}

#[test]
fn the_nfvo_over_tls_answers_its_ca_and_refuses_a_client_of_another() {
    let pki = Pki::new();
    let (cert, key) = pki.issue("nfvo");
    let nfvo = Daemon::start(
        &["nfvo", "--listen", "127.0.0.1:0", "--tls-cert"],
        &[&cert, Path::new("--tls-key"), &key],
    );
    let endpoint = format!("https://127.0.0.1:{}", nfvo.port());
    let by_name = format!("https://localhost:{}", nfvo.port());
    login(&endpoint, &pki.ca());
    login(&by_name, &pki.ca());

    let out = run(archipel(&["site", "ls", "--endpoint", &endpoint, "--ca"]).arg(pki.ca()));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(archipel(&["site", "ls", "--endpoint", &by_name]).env("ARCHIPEL_CA", pki.ca()));
    assert!(out.status.success(), "{}", stderr(&out));

    let other = Pki::new();
    let out = run(archipel(&["site", "ls", "--endpoint", &endpoint, "--ca"]).arg(other.ca()));
    assert!(!out.status.success(), "a client of another CA was answered: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("invalid peer certificate"), "{err}");

    let out = run(&mut archipel(&["site", "ls", "--endpoint", &endpoint]));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{endpoint} is reached over TLS: give the certificate authority")),
        "{err}"
    );

    // Plain text to a TLS port is no way around it.
    let plain = format!("http://127.0.0.1:{}", nfvo.port());
    let out = run(&mut archipel(&["site", "ls", "--endpoint", &plain]));
    assert!(!out.status.success(), "plain text was answered: {}", stdout(&out));
}

#[test]
fn the_agent_over_tls_answers_its_ca_and_refuses_a_client_of_another() {
    let pki = Pki::new();
    let (cert, key) = pki.issue("agent-a");
    let mut args: Vec<&str> = AGENT.to_vec();
    args.extend(["north-token", "--listen", "127.0.0.1:0", "--ca"]);
    let ca = pki.ca();
    let agent =
        Daemon::start(&args, &[&ca, Path::new("--tls-cert"), &cert, Path::new("--tls-key"), &key]);
    let url = format!("https://127.0.0.1:{}", agent.port());
    let ls = |ca: &Path| {
        run(archipel(&["intersite", "ls", "--agent", &url, "--token", "north-token", "--ca"])
            .arg(ca))
    };
    let out = ls(&pki.ca());
    assert!(out.status.success(), "{}", stderr(&out));
    let other = Pki::new();
    let out = ls(&other.ca());
    assert!(!out.status.success(), "a client of another CA was answered: {}", stdout(&out));
    assert!(stderr(&out).contains("invalid peer certificate"), "{}", stderr(&out));
}

#[test]
fn a_bad_certificate_file_is_named_at_start() {
    let pki = Pki::new();
    let (cert, _) = pki.issue("nfvo");
    let dir = tempfile::tempdir().unwrap();
    let out = run(archipel(&["nfvo", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&cert)
        .arg("--data-dir")
        .arg(dir.path()));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("{} holds no private key", cert.display())), "{err}");
}

/// popd needs its runtime: these run the native one, as root.
mod native {
    use super::*;

    #[test]
    #[ignore = "needs root"]
    fn popd_over_tls_answers_its_ca_and_refuses_a_client_of_another() {
        archipel_testkit::require_root();
        let pki = Pki::new();
        let (cert, key) = pki.issue("popd");
        let subnet = TestSubnet::lease();
        let tls = ["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()];
        let popd = PopdProcess::start(BIN, PopdRuntime::Native, &subnet.slash24(0), &tls);
        assert!(popd.endpoint.starts_with("https://"), "{}", popd.endpoint);

        let info = |ca: &Path| {
            run(popd.cli().args(["pop", "info", "--ca"]).arg(ca).env("RUST_LOG", "error"))
        };
        let out = info(&pki.ca());
        assert!(out.status.success(), "{}\n{}", stderr(&out), popd.log());
        let other = Pki::new();
        let out = info(&other.ca());
        assert!(!out.status.success(), "a client of another CA was answered: {}", stdout(&out));
        assert!(stderr(&out).contains("invalid peer certificate"), "{}", stderr(&out));
        let out = run(popd.cli().args(["pop", "info"]).env_remove("ARCHIPEL_CA"));
        assert!(!out.status.success());
        assert!(stderr(&out).contains("is reached over TLS"), "{}", stderr(&out));
    }
}
