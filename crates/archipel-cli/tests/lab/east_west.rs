//! The agents' interfaces refuse calls without their secret; `lab exec` runs in a site.

use std::io::{Read, Write};
use std::net::TcpStream;

use archipel_agent::{KEY_HEADER, SITE_HEADER};

use std::process::Command;

use crate::harness::{text, Lab, BIN};

#[test]
#[ignore = "needs root"]
fn east_west_without_the_key_is_refused() {
    let lab = Lab::up_insecure(2);
    let a = lab.ctx.site("a").unwrap();
    let addr = a.agent_url.trim_start_matches("http://").to_owned();
    let path = "/intersite-horizontal/vni-free?vni=7";
    assert_eq!(status(&addr, path, None), 401);
    assert_eq!(status(&addr, path, Some((KEY_HEADER, "nope"))), 401);
    let key = lab.ctx.pair_key("a", "b").unwrap();
    assert_eq!(status(&addr, path, Some((KEY_HEADER, &format!("{key}\r\n{SITE_HEADER}: b")))), 200);
    assert_eq!(status(&addr, "/intersite-vertical", None), 401);
    let bearer = format!("Bearer {}", a.agent_token);
    assert_eq!(status(&addr, "/intersite-vertical", Some(("authorization", &bearer))), 200);

    let underlay = lab.lab(&["exec", "b", "--", "ip", "-4", "-o", "addr", "show", "u0"]);
    assert!(underlay.status.success(), "{}", text(&underlay.stderr));
    let b_ip = lab.ctx.site("b").unwrap().underlay_ip.to_string();
    assert!(text(&underlay.stdout).contains(&format!(" {b_ip}/")), "{}", text(&underlay.stdout));
    let code = lab.lab(&["exec", "a", "--", "sh", "-c", "exit 3"]);
    assert_eq!(code.status.code(), Some(3));
    lab.down();
}

#[test]
#[ignore = "needs root"]
fn a_second_lab_of_the_same_name_is_refused_and_the_first_runs_on() {
    let lab = Lab::up(2);
    let other = tempfile::tempdir().unwrap();
    let underlay = lab.subnet.slash24(14);
    let out = Command::new(BIN)
        .args(["lab", "--dir"])
        .arg(other.path().join("lab"))
        .args(["up", "--name", &lab.ctx.name, "--underlay", &underlay])
        .env("RUST_LOG", "error")
        .output()
        .expect("run archipel lab up");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains(&format!("a lab named {} exists already", lab.ctx.name)), "{err}");
    let status = lab.lab(&["status"]);
    let listed = text(&status.stdout);
    assert_eq!(listed.matches("(running)").count(), 4, "{listed}");
    lab.down();
}

/// The status code of `GET PATH` with one optional header.
fn status(addr: &str, path: &str, header: Option<(&str, &str)>) -> u16 {
    let mut stream = TcpStream::connect(addr).expect("connect to the agent");
    let extra = header.map(|(k, v)| format!("{k}: {v}\r\n")).unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send the request");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read the reply");
    let code = reply.split(' ').nth(1).unwrap_or_default();
    code.parse().unwrap_or_else(|_| panic!("not an HTTP reply: {reply}"))
}
