//! What an attacker on the lab's networks sees: during a lab run over TLS (the CLI logging in
//! to the popds, the agents logging in to theirs and calling each other to make an inter-site
//! service), captures of the host's interfaces (loopback, the veth to the underlay) and of the
//! underlay bridge hold none of the passwords, tokens or keys the run used.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{text, Lab};

/// Written in clear to a TLS port: that the captures hold it shows they saw the traffic.
const MARKER: &str = "archipel-wire-capture-marker";

/// `tcpdump -i any` in a namespace (the host's when none), writing every packet whole to a file.
struct Capture {
    child: Child,
    file: PathBuf,
}

impl Capture {
    fn start(netns: Option<&str>, file: PathBuf) -> Self {
        let mut cmd = match netns {
            Some(ns) => {
                let mut cmd = Command::new("ip");
                cmd.args(["netns", "exec", ns, "tcpdump"]);
                cmd
            }
            None => Command::new("tcpdump"),
        };
        let mut child = cmd
            // Immediate mode: without it, packets wait in the kernel's ring for a block to
            // fill, and those still there at the stop never reach the file.
            .args(["-i", "any", "--immediate-mode", "-B", "32768", "-U", "-s", "0", "-n", "-w"])
            .arg(&file)
            .arg("tcp")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tcpdump (apt-get install tcpdump)");
        // tcpdump says "listening on any" once it captures.
        let stderr = child.stderr.as_mut().unwrap();
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut byte = [0u8; 1];
        while !String::from_utf8_lossy(&seen).contains("listening on") {
            assert!(Instant::now() < deadline, "tcpdump did not start: {}", text(&seen));
            let n = std::io::Read::read(stderr, &mut byte).expect("read tcpdump's stderr");
            assert!(n > 0, "tcpdump exited: {}", text(&seen));
            seen.push(byte[0]);
        }
        Capture { child, file }
    }

    /// Stops the capture (SIGTERM: tcpdump flushes its file) and returns what it holds.
    fn stop(mut self) -> Vec<u8> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
        let mut stats = String::new();
        if let Some(stderr) = self.child.stderr.as_mut() {
            let _ = std::io::Read::read_to_string(stderr, &mut stats);
        }
        println!("{}: {}", self.file.display(), stats.trim().replace('\n', "; "));
        std::fs::read(&self.file).expect("read the capture")
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn holds(bytes: &[u8], secret: &str) -> bool {
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

/// Sends the marker in clear to `url`'s port (the server refuses it: it is not TLS).
fn send_marker(url: &str) {
    let addr = url.split("://").nth(1).expect("a URL");
    let mut stream = TcpStream::connect(addr).expect("connect");
    let _ = stream.write_all(format!("GET /{MARKER} HTTP/1.1\r\n\r\n").as_bytes());
}

fn capture_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.pcap"))
}

#[test]
#[ignore = "needs root"]
fn a_lab_run_over_tls_shows_no_password_token_or_key_on_the_wire() {
    let lab = Lab::up(2);
    assert!(lab.ctx.ca.is_some(), "the lab serves TLS by default");
    let dir = tempfile::tempdir().unwrap();
    let host = Capture::start(None, capture_file(dir.path(), "host"));
    let hub = Capture::start(Some(&lab.ctx.hub_netns), capture_file(dir.path(), "hub"));

    // The CLI logs in to each popd; the agents log in to theirs and call each other.
    let cidr = lab.subnet.slash24(0);
    lab.network("a", "net", &cidr);
    let args = ["intersite", "create", "--type", "l2", "--name", "wire"];
    let service =
        lab.json("a", &[&args[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    assert_eq!(service["params"]["cidr"], cidr.as_str());
    lab.json("b", &["intersite", "ls"]);
    let global_id = service["global_id"].as_str().expect("a global id").to_owned();
    let removed = lab.cli("a", &["intersite", "rm", &global_id]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let a = lab.ctx.site("a").unwrap();
    send_marker(&a.popd_url);
    send_marker(&a.agent_url);
    std::thread::sleep(Duration::from_millis(500));

    let captures = [("the host's interfaces", host.stop()), ("the underlay", hub.stop())];
    let keys = lab.ctx.pair_keys.values();
    let mut secrets: Vec<_> = keys.map(|k| ("an East-West pair key", k.clone())).collect();
    for s in &lab.ctx.sites {
        let password = s.popd_auth.split_once(':').unwrap().1.to_owned();
        secrets.push(("a popd password", password));
        secrets.push(("an agent's North token", s.agent_token.clone()));
    }
    for (where_, bytes) in &captures {
        assert!(holds(bytes, MARKER), "the capture of {where_} saw no traffic");
        for (what, secret) in &secrets {
            assert!(!holds(bytes, secret), "{what} crossed {where_} in clear");
        }
    }
    lab.down();
}
