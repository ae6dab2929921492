//! What an attacker on the lab's networks sees: during a lab run over TLS (the CLI logging in
//! to the popds, the agents logging in to theirs and calling each other to make an inter-site
//! service), captures of the host's interfaces (loopback, the veth to the underlay) and of the
//! underlay bridge hold none of the passwords, tokens or keys the run used.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::capture::{holds, Capture};
use crate::harness::{text, Lab};

/// Written in clear to a TLS port: that the captures hold it shows they saw the traffic.
const MARKER: &str = "archipel-wire-capture-marker";

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
    let host = Capture::start(None, capture_file(dir.path(), "host"), "tcp");
    let hub = Capture::start(Some(&lab.ctx.hub_netns), capture_file(dir.path(), "hub"), "tcp");

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
