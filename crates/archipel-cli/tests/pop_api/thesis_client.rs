//! The thesis's own protocol definition (Appendix B, package `vim_pop`) drives popd unchanged:
//! a Python client generated from it with `grpcio-tools` logs in, creates, sets metadata,
//! starts, lists, stops and deletes a container, and the effects are checked in the world.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use archipel_testkit::PopdRuntime;

use crate::harness::{Site, IMAGE};

crate::on_both_runtimes!(a_client_of_the_thesis_protocol_runs_a_container);

async fn a_client_of_the_thesis_protocol_runs_a_container(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let python = venv_python();
    let generated = tempfile::tempdir().expect("a directory for the generated client");
    generate_client(&python, generated.path());

    let name = site.name("thesis");
    let client = |phase: &str| run_client(&site, &python, generated.path(), &name, phase);

    let run = client("run");
    assert_eq!(run["info"]["name"], site.popd.name.as_str(), "{run}");
    assert_eq!(run["create"]["status"], "CREATED", "{run}");
    let net = site.popd.default_network.as_str();
    let addr = run["create"]["addresses"][net].as_str().expect("an address").to_owned();
    assert_eq!(run["start"]["status"], "RUNNING", "{run}");
    assert_eq!(run["start"]["addresses"][net], addr.as_str(), "{run}");
    assert_eq!(run["start"]["md"], serde_json::json!({"THESIS_CLIENT": "vim_pop"}), "{run}");
    let listed = run["containers"].as_array().expect("a list");
    assert!(listed.iter().any(|c| c["names"][0] == name.as_str()), "{run}");
    // The metadata set through the thesis's protocol is the running workload's environment.
    let env = site.env(&name, &addr);
    assert_eq!(env.get("THESIS_CLIENT").map(String::as_str), Some("vim_pop"), "{env:?}");
    assert!(!env.contains_key("GONE"), "{env:?}");

    let end = client("end");
    assert_eq!(end["stopped"]["status"], "EXITED", "{end}");
    assert_eq!(end["after_delete"], serde_json::json!([]), "{end}");
    assert_eq!(end["bad_token"], "UNAUTHENTICATED", "{end}");
    assert!(!site.runs(&name, &addr), "the deleted container left a workload behind");
}

/// Runs one phase of the thesis client against the site; its answers as JSON.
fn run_client(
    site: &Site,
    python: &Path,
    generated: &Path,
    name: &str,
    phase: &str,
) -> serde_json::Value {
    let (user, password) = site.popd.auth.split_once(':').expect("user:password");
    let target = site.popd.endpoint.trim_start_matches("http://");
    let mut child = Command::new(python)
        .arg(thesis_dir().join("client.py"))
        .arg(generated)
        .args([target, user, IMAGE, name, phase])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the thesis client");
    child.stdin.take().expect("stdin").write_all(password.as_bytes()).expect("send password");
    let out = child.wait_with_output().expect("thesis client");
    assert!(
        out.status.success(),
        "the thesis client failed in phase {phase}: {}\npopd log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        site.popd.log()
    );
    serde_json::from_slice(&out.stdout).expect("the client's JSON")
}

fn thesis_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pop_api/thesis")
}

/// The Python of the virtual environment `scripts/lib.sh`'s `need_grpc_venv` makes.
fn venv_python() -> PathBuf {
    let venv = std::env::var_os("ARCHIPEL_GRPC_VENV")
        .map_or_else(|| PathBuf::from("/var/tmp/archipel-grpc-venv"), PathBuf::from);
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash -c '. scripts/lib.sh; need_grpc_venv'` (scripts/test.sh does)",
        python.display()
    );
    python
}

/// `python -m grpc_tools.protoc` on the thesis's `vim_pop.proto`, into `out`.
fn generate_client(python: &Path, out: &Path) {
    let status = Command::new(python)
        .args(["-m", "grpc_tools.protoc", "-I"])
        .arg(thesis_dir())
        .arg(format!("--python_out={}", out.display()))
        .arg(format!("--grpc_python_out={}", out.display()))
        .arg("vim_pop.proto")
        .status()
        .expect("run grpc_tools.protoc");
    assert!(status.success(), "grpc_tools.protoc failed on the thesis's proto");
}
