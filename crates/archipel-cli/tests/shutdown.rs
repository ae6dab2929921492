//! Every daemon stops on SIGTERM through the daemon kit: it stops accepting, answers the request
//! in flight, and exits 0 within its drain timeout. Each test holds a request open across the
//! signal: an HTTP request whose body is only half sent (the NFVO, the agent), a Watch stream
//! (popd, which ends it cleanly at a stop), an event stream (the NFVO, which ends it at a stop).
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use archipel_pop_client::{Client, Credentials, Filter};
use archipel_testkit::{require_root, PopdProcess, PopdRuntime, TestSubnet, SIPP_NSD};

const BIN: &str = env!("CARGO_BIN_EXE_archipel");
/// The drain timeout every daemon is started with here; the exit must come before it ends.
const DRAIN_SECS: u64 = 10;

/// A daemon started from the binary, its address read from its ready line.
struct Daemon {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Daemon {
    fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(BIN)
            .args(args)
            .envs(env.iter().copied())
            .arg("--data-dir")
            .arg(dir.path())
            .args(["--listen", "127.0.0.1:0", "--drain-timeout", &DRAIN_SECS.to_string()])
            // Plain text on loopback: these tests write raw HTTP.
            .arg("--insecure")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let addr = loop {
            line.clear();
            let n = std::io::BufRead::read_line(&mut out, &mut line).unwrap();
            assert!(n > 0, "{args:?} exited before its ready line");
            if let Some(addr) = archipel_daemon::ready::parse(&line) {
                break addr.to_owned();
            }
        };
        // Keep reading: a closed pipe would fail the daemon's later prints.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Self { child, addr, _dir: dir }
    }
}

fn sigterm(pid: u32) {
    let status = Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

/// Waits for the exit; panics if it does not come within the drain timeout (and a margin for a
/// loaded machine to schedule the process).
fn exit_within_drain(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(DRAIN_SECS + 5);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after its drain timeout");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends an HTTP/1.1 request with half its body, SIGTERMs the daemon, sends the rest and
/// returns the response's status line.
fn half_sent_request_across_sigterm(daemon: &mut Daemon, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(&daemon.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(DRAIN_SECS))).unwrap();
    let head = format!(
        "{head}\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        daemon.addr,
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first).unwrap();
    // Let the server take the request in before the signal.
    std::thread::sleep(Duration::from_millis(300));
    sigterm(daemon.child.id());
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

/// Logs in to the NFVO at `addr` with one plain request; returns the token.
fn nfvo_token(addr: &str, user: &str, password: &str) -> String {
    let body = serde_json::json!({"username": user, "password": password}).to_string();
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "POST /auth/v1/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let answer: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|_| panic!("{response}"));
    answer["token"].as_str().unwrap().to_owned()
}

#[test]
fn the_nfvo_answers_the_request_in_flight_and_exits_on_sigterm() {
    // Long enough for the password rule (at least 8) whatever the pid.
    let password = format!("{}-secret", archipel_testkit::unique("pw"));
    let admin = format!("admin:{password}");
    let mut nfvo = Daemon::start_with_env(&["nfvo"], &[("NFVO_ADMIN", &admin)]);
    let token = nfvo_token(&nfvo.addr, "admin", &password);
    let nsd = std::fs::read(SIPP_NSD).unwrap();
    let head = format!("POST /nsd/v1/ns_descriptors HTTP/1.1\r\nAuthorization: Bearer {token}");
    let status = half_sent_request_across_sigterm(&mut nfvo, &head, &nsd);
    assert!(status.starts_with("HTTP/1.1 201"), "onboarding across the stop: {status:?}");
    assert!(exit_within_drain(&mut nfvo.child).success());
}

#[test]
fn the_nfvo_ends_its_event_streams_and_exits_on_sigterm() {
    // Long enough for the password rule (at least 8) whatever the pid.
    let password = format!("{}-secret", archipel_testkit::unique("pw"));
    let admin = format!("admin:{password}");
    let mut nfvo = Daemon::start_with_env(&["nfvo"], &[("NFVO_ADMIN", &admin)]);
    let token = nfvo_token(&nfvo.addr, "admin", &password);
    let mut stream = TcpStream::connect(&nfvo.addr).unwrap();
    let request = format!(
        "GET /archipel/v1/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
        nfvo.addr
    );
    stream.write_all(request.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    sigterm(nfvo.child.id());
    assert!(exit_within_drain(&mut nfvo.child).success());
    // The stream was answered, then ended by the stop.
    let mut response = String::new();
    stream.set_read_timeout(Some(Duration::from_secs(DRAIN_SECS))).unwrap();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("text/event-stream"), "{response}");
}

#[test]
fn the_agent_answers_the_request_in_flight_and_exits_on_sigterm() {
    let mut agent = Daemon::start(&[
        "agent",
        "--site",
        "a",
        "--pop",
        "http://127.0.0.1:9",
        "--pop-auth",
        "admin:unused",
        "--underlay-ip",
        "192.0.2.1",
        "--peer",
        "b=http://192.0.2.2:7000",
        "--peer-keys",
        "b=east-west-key",
        "--north-token",
        "north-token",
    ]);
    let status = half_sent_request_across_sigterm(
        &mut agent,
        "POST /intersite-horizontal/vni-reservations HTTP/1.1\r\nx-archipel-site: b\r\n\
         x-archipel-key: east-west-key",
        br#"{"vni": 4242, "global_id": "b-shutdown"}"#,
    );
    assert!(status.starts_with("HTTP/1.1 200"), "a reservation across the stop: {status:?}");
    assert!(exit_within_drain(&mut agent.child).success());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn popd_ends_its_watch_streams_and_exits_on_sigterm() {
    require_root();
    let subnet = TestSubnet::lease();
    let drain = DRAIN_SECS.to_string();
    let mut popd = PopdProcess::start(
        BIN,
        PopdRuntime::Native,
        &subnet.slash24(0),
        &["--drain-timeout", &drain],
    );
    let (username, password) = popd.auth.split_once(':').unwrap();
    let client = Client::new(Credentials {
        endpoint: popd.endpoint.clone(),
        username: username.to_owned(),
        password: password.to_owned(),
        ca: None,
    });
    let mut events = client.watch(&Filter::Any).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    assert!(popd.terminate(), "popd did not exit 0 on SIGTERM: {}", popd.log());
    assert!(started.elapsed() < Duration::from_secs(DRAIN_SECS + 5), "{}", popd.log());
    assert!(matches!(events.next().await, Ok(None)), "the watch ended uncleanly");
}
