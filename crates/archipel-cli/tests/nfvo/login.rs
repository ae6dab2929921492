//! Logging in, against the real daemon: the throttle holds under concurrency without slowing
//! another user of the same address, the CLI keeps its token owner-only, and a missing or
//! expired token says to log in.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use archipel_testkit::NfvoProcess;

use crate::access::login;
use crate::harness::BIN;

/// The throttle of these tests: the n-th failure makes the next attempt wait 20 ms × 2^(n-1),
/// at most 40 ms.
const BASE_MS: u64 = 20;
const MAX_MS: u64 = 40;
const GUESSES: u64 = 50;

fn nfvo(extra: &[&str]) -> NfvoProcess {
    let base = BASE_MS.to_string();
    let max = MAX_MS.to_string();
    let flags = [&["--login-delay", &base, "--login-delay-max", &max][..], extra].concat();
    NfvoProcess::start_with(BIN, "10.200.0.0/22", &flags)
}

#[test]
fn concurrent_wrong_logins_queue_and_do_not_delay_another_user() {
    let nfvo = nfvo(&[]);
    let password = archipel_testkit::unique("bob-pw");
    add_user(&nfvo, "bob", &password);
    // What GUESSES failures one after another wait in all under the throttle.
    let sequential: u64 = (1..GUESSES).map(|n| (BASE_MS << (n - 1).min(10)).min(MAX_MS)).sum();

    let started = Instant::now();
    let guesses: Vec<_> = (0..GUESSES)
        .map(|i| {
            let endpoint = nfvo.endpoint.clone();
            std::thread::spawn(move || {
                let (status, _) = login(&endpoint, "admin", &format!("wrong-{i}"));
                (status, Instant::now())
            })
        })
        .collect();
    // Bob logs in from the same address while the guesses queue.
    std::thread::sleep(Duration::from_millis(200));
    let (status, token) = login(&nfvo.endpoint, "bob", &password);
    let bob_done = Instant::now();
    assert_eq!(status, 200, "bob's login");
    assert!(token.is_some());
    let ends: Vec<Instant> = guesses
        .into_iter()
        .map(|g| {
            let (status, end) = g.join().unwrap();
            assert_eq!(status, 401, "a wrong password");
            end
        })
        .collect();
    let last = ends.iter().max().copied().unwrap();
    let took = last.duration_since(started);
    assert!(
        took >= Duration::from_millis(sequential),
        "{GUESSES} parallel guesses took {took:?}, less than the {sequential} ms they would \
         one after another"
    );
    assert!(bob_done < last, "bob's login was queued behind the guesses on another user");
    // The right password still works once the guesses are answered.
    assert_eq!(login(&nfvo.endpoint, "admin", &nfvo.admin_password).0, 200);
}

#[test]
fn the_token_file_is_owner_only_and_a_missing_or_expired_token_says_to_log_in() {
    let nfvo = nfvo(&["--token-ttl", "1"]);
    let dir = nfvo.config_home.path().join("archipel");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("credentials.json")), 0o600);

    let anonymous = nfvo.cli().env("XDG_CONFIG_HOME", "/nonexistent").args(["ns", "ls"]).output();
    let out = anonymous.unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`archipel login`"), "{stderr}");

    std::thread::sleep(Duration::from_millis(2100));
    let out = nfvo.cli().args(["ns", "ls"]).output().unwrap();
    assert!(!out.status.success(), "an expired token is refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("expired") && stderr.contains("archipel login"), "{stderr}");

    // ARCHIPEL_TOKEN overrides the file; logout forgets the token here and at the NFVO.
    nfvo.login("admin", &nfvo.admin_password);
    let token = nfvo.token();
    let out = nfvo.cli().env("ARCHIPEL_TOKEN", "bad").args(["ns", "ls"]).output().unwrap();
    assert!(!out.status.success(), "the variable is sent, not the file's token");
    let out = nfvo.cli().args(["logout"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = nfvo.cli().env("ARCHIPEL_TOKEN", &token).args(["ns", "ls"]).output().unwrap();
    assert!(!out.status.success(), "the NFVO forgot the token at logout");
}

fn add_user(nfvo: &NfvoProcess, name: &str, password: &str) {
    let mut child = nfvo
        .cli()
        .args(["user", "add", name, "--role", "reader", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_first_start_without_an_admin_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .args(["nfvo", "--listen", "127.0.0.1:0", "--insecure", "--data-dir"])
        .arg(dir.path())
        .env_remove("NFVO_ADMIN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("NFVO_ADMIN=USER:PASSWORD"), "{stderr}");
}
