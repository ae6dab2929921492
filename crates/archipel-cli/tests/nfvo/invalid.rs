//! Invalid NSDs through the real daemon: each is refused with 400 at its exact path, by the
//! CLI (exit 1, the path on the error line) and over plain HTTP, and nothing is stored.

use serde_json::{json, Value};

use crate::harness::{sipp_nsd, World, SIPP_NSD};

/// (what is wrong, the document, where the NFVO must say it is wrong). vnfd[0] is the
/// client, vnfd[1] the server.
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let text = std::fs::read_to_string(SIPP_NSD).unwrap();
    let trailing_object_comma = format!("{},\n}}\n", text.trim_end().trim_end_matches('}'));
    let mut cases = vec![
        ("not JSON", b"{\"name\": \"sipp\" \"vendor\": 1}".to_vec(), "."),
        ("not an object", b"[\"sipp\"]".to_vec(), "."),
        ("trailing comma in an object", trailing_object_comma.into_bytes(), "."),
    ];
    cases.extend(archipel_testkit::broken_nsds(&sipp_nsd()));
    cases
}

#[test]
fn invalid_nsds_are_refused_at_their_exact_path_and_nothing_is_stored() {
    let world = World::new(&[]);
    let cases = cases();
    assert!(cases.len() >= 12);
    for (i, (name, document, path)) in cases.into_iter().enumerate() {
        let file = world.files.path().join(format!("case{i}.json"));
        std::fs::write(&file, &document).unwrap();
        let out = world.cli(&["ns", "onboard", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        let line = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_default();
        assert!(line.contains("(400)"), "{name}: {stderr}");
        if path != "." {
            assert!(line.contains(&format!("{path}:")), "{name}: no {path} in {stderr}");
        }

        let (status, body) = world.http("POST", "/nsd/v1/ns_descriptors", &document);
        let problem: Value = serde_json::from_slice(&body).expect("problem details");
        assert_eq!(status, 400, "{name}: {problem}");
        assert_eq!(problem["status"], 400, "{name}: {problem}");
        assert_eq!(problem["type"], "urn:archipel:problem:invalid-nsd", "{name}: {problem}");
        assert_eq!(problem["path"], path, "{name}: {problem}");
    }
    assert_eq!(world.cli_json(&["ns", "nsds"]), json!([]));
    // The valid document is taken by the same daemon: the refusals were the documents'.
    world.cli_json(&["ns", "onboard", SIPP_NSD]);
    assert_eq!(world.cli_json(&["ns", "nsds"]).as_array().map(Vec::len), Some(1));
}
