//! The agents' interfaces refuse calls without their secret; `lab exec` runs in a site.

use std::process::Command;

use archipel_agent::KEY_HEADER;
use archipel_daemon::tls::ClientTls;

use crate::harness::{text, Lab, BIN};

#[test]
#[ignore = "needs root"]
fn east_west_without_the_key_is_refused() {
    let lab = Lab::up(2);
    let a = lab.ctx.site("a").unwrap();
    let ca = lab.ctx.ca.as_ref().expect("the lab serves TLS");
    let tls = ClientTls::load(ca, None).expect("the lab's CA");
    let http = reqwest::Client::builder().use_preconfigured_tls(tls.config).build().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = |path: &str, header: Option<(&str, &str)>| {
        let mut request = http.get(format!("{}{path}", a.agent_url));
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        runtime.block_on(request.send()).expect("the agent answers").status().as_u16()
    };
    let path = "/intersite-horizontal/vni-free?vni=7";
    assert_eq!(status(path, None), 401);
    assert_eq!(status(path, Some((KEY_HEADER, "nope"))), 401);
    assert_eq!(status(path, Some((KEY_HEADER, &lab.ctx.key))), 200);
    assert_eq!(status("/intersite-vertical", None), 401);
    let bearer = format!("Bearer {}", a.agent_token);
    assert_eq!(status("/intersite-vertical", Some(("authorization", &bearer))), 200);

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
