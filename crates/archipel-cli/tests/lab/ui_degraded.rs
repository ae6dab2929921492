//! The web view after a `kill -9` of a VNFC's workload during a two-site run: once the NFVO's
//! watch has seen it, the page shows the service degraded, its alarm and a heal button. The
//! screenshots stay beside the other web-view tests' ones.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::Lab;
use crate::orchestrator::{ended, s, vnfcs, Orchestrator};
use crate::ui::{address, artefacts, launch_split, Browser};

/// How long the watch may take to report the death: far above its reaction, so only a
/// watch that never reports fails.
const WATCH: Duration = Duration::from_secs(60);

/// The NSR once its health is `state`.
fn health_becomes(o: &Orchestrator, id: &str, state: &str) -> Value {
    let deadline = Instant::now() + WATCH;
    loop {
        let ns = o.json(&["ns", "show", id]);
        if ns["health"]["state"] == state {
            return ns;
        }
        assert!(Instant::now() < deadline, "{id} never became {state}: {ns}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
#[ignore = "needs root"]
fn the_web_view_shows_a_killed_vnfc_degrade_its_service() {
    let lab = Lab::up(2);
    let o = Orchestrator::over(&lab);
    let shots = artefacts();
    let ns = launch_split(&o, "sipp-ui-kill");
    let id = s(&ns["id"]).to_owned();
    let browser = Browser::logged_in(&o);
    browser.screenshot(&shots.join("before-kill.png"));

    let server = address(&ns, "sipp-server").parse().unwrap();
    let netns = lab.netns_of("a", server);
    let pids = archipel_testkit::sh(&format!("ip netns pids {netns}"));
    assert!(!pids.trim().is_empty(), "no process in {netns}");
    // One kill ends the others of the workload's PID namespace: a later one may be gone.
    archipel_testkit::sh(&format!(
        "for p in {}; do kill -9 $p 2>/dev/null; done; true",
        pids.trim().replace('\n', " ")
    ));
    let killed = ended(&lab, "a", s(&vnfcs(&ns, "sipp-server")[0]["name"]));
    assert_eq!(killed["status"], "FAILED", "{killed}");
    let degraded = health_becomes(&o, &id, "DEGRADED");

    let dom = browser.dom();
    browser.screenshot(&shots.join("degraded.png"));
    let shown = [
        format!(
            "data-ns=\"{id}\" data-status=\"{}\" data-health=\"DEGRADED\"",
            s(&degraded["status"])
        ),
        format!("data-heal=\"{id}\""),
        format!("data-address=\"{server}\""),
    ];
    for want in &shown {
        assert!(dom.contains(want.as_str()), "the page lacks {want}:\n{dom}");
    }
    // The alarm's row names the service (SOL005: managedObjectId).
    let of_service = format!("data-ns=\"{id}\"");
    let alarm_rows = dom.split("<tr data-alarm=").skip(1);
    let opening = |row: &str| row.split('>').next().unwrap_or_default().to_owned();
    assert!(
        alarm_rows.map(opening).any(|tag| tag.contains(&of_service)),
        "no alarm of {id}:\n{dom}"
    );

    let ended = o.json(&["ns", "terminate", &id, "--wait"]);
    assert_eq!(ended["status"], "TERMINATED", "{ended}");
    drop(o);
    lab.down();
}
