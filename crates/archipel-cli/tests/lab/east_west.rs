//! The agents' interfaces refuse calls without their secret; `lab exec` runs in a site.

use std::process::Command;

use archipel_agent::{KEY_HEADER, SITE_HEADER};

use crate::harness::{text, Lab, BIN};

#[test]
#[ignore = "needs root"]
fn east_west_without_the_key_is_refused() {
    let lab = Lab::up_insecure(2);
    let a = lab.ctx.site("a").unwrap();
    // Plain text: the keys of each pair of sites (over TLS, certificates: see peers.rs).
    assert!(lab.ctx.ca.is_none() && a.agent_url.starts_with("http://"));
    let http = reqwest::Client::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = |path: &str, headers: &[(&str, &str)]| {
        let mut request = http.get(format!("{}{path}", a.agent_url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        runtime.block_on(request.send()).expect("the agent answers").status().as_u16()
    };
    let path = "/intersite-horizontal/vni-free?vni=7";
    assert_eq!(status(path, &[]), 401);
    assert_eq!(status(path, &[(KEY_HEADER, "nope")]), 401);
    let key = lab.ctx.pair_key("a", "b").unwrap();
    assert_eq!(status(path, &[(SITE_HEADER, "c"), (KEY_HEADER, key)]), 401, "c with b's key");
    assert_eq!(status(path, &[(SITE_HEADER, "b"), (KEY_HEADER, key)]), 200);
    assert_eq!(status("/intersite-vertical", &[]), 401);
    let bearer = format!("Bearer {}", a.agent_token);
    assert_eq!(status("/intersite-vertical", &[("authorization", &bearer)]), 200);

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
