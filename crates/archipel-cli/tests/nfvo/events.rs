//! `ns events --follow` prints the events of a launch as they happen.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use archipel_testkit::PopdRuntime;
use serde_json::Value;

use crate::harness::{str_of, World, SIPP_NSD};

/// Kills the follower however the test ends.
struct Follower(Child);

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs root"]
fn events_follow_prints_the_launch_as_it_happens() {
    let world = World::new(&[PopdRuntime::Native]);
    let nsd = world.cli_json(&["ns", "onboard", SIPP_NSD]);
    let mut follower = Follower(
        world
            .nfvo
            .cli()
            .args(["ns", "events", "--follow", "-o", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run archipel ns events"),
    );
    let stdout = follower.0.stdout.take().expect("piped stdout");
    let ns = world.launch(str_of(&nsd["id"]), &[]);
    let id = str_of(&ns["id"]).to_owned();

    // The follower prints the descriptor's onboarding (kept from before it started), then the
    // launch's beginning and its end, in that order, then goes on.
    let mut lines = BufReader::new(stdout).lines();
    let first: Value = serde_json::from_str(&lines.next().expect("a line").expect("a line"))
        .expect("one JSON event");
    assert_eq!(first["type"], "NsdOnBoardingNotification", "{first}");
    assert_eq!(first["nsdInfoId"], nsd["id"], "{first}");
    let mut seen = Vec::new();
    for line in lines {
        let event: Value = serde_json::from_str(&line.expect("a line")).expect("one JSON event");
        assert_eq!(event["nsInstanceId"], id.as_str(), "{event}");
        assert!(event["time"].as_str().is_some(), "{event}");
        assert_eq!(event["type"], "NsLcmOperationOccurrenceNotification", "{event}");
        assert_eq!(event["operation"], "INSTANTIATE", "{event}");
        seen.push(str_of(&event["operationState"]).to_owned());
        if seen.len() == 2 {
            break;
        }
    }
    assert_eq!(seen, ["PROCESSING", "COMPLETED"]);
    assert!(follower.0.try_wait().expect("the follower's state").is_none(), "it follows");

    // Without --follow, the kept events print and the command ends.
    let out = world.cli(&["ns", "events"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].contains("NsdOnBoardingNotification"), "{text}");
    assert!(lines[2].contains(&format!("lifecycle NsLcmOperationOccurrenceNotification {id}")));
    assert!(lines[2].contains("operationState=COMPLETED"), "{text}");
}
