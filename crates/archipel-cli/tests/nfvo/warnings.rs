//! `ns onboard` of the thesis's Appendix C NSD names the fields Archipel does not act on.

use crate::harness::{World, SIPP_NSD};

#[test]
fn onboarding_the_example_lists_its_lifecycle_events_as_warnings() {
    let world = World::new(&[]);
    let out = world.cli(&["ns", "onboard", SIPP_NSD, "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for path in ["vnfd[0].lifecycle_event", "vnfd[1].lifecycle_event"] {
        assert!(
            stderr.contains(&format!("warning: {path}: lifecycle_event is not acted on")),
            "{stderr}"
        );
    }
    let nsd: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let paths: Vec<&str> =
        nsd["warnings"].as_array().unwrap().iter().map(|w| w["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"vnfd[0].lifecycle_event"), "{nsd}");
    assert!(paths.contains(&"vnfd[1].lifecycle_event"), "{nsd}");
}
