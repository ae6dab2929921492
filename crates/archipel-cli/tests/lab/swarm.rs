//! Issue 17: a Swarm site in the lab (`lab up --swarm-nodes 3`). The SIPp NSD split over the
//! Swarm site and a native site completes its calls: its server runs on a worker node, and the
//! client at the native site reaches it through the L2 extension, whose tunnel is attached to
//! the Swarm site's bridge that every node is linked to. Terminate leaves nothing in any node's
//! engine, and `lab down` nothing of the nodes.

use serde_json::Value;

use crate::harness::{text, Lab, IMAGE};
use crate::nfvo::{assert_calls, assert_clean, CALLS};
use crate::orchestrator::{s, vnfcs, Orchestrator};

/// The containers of every node of Swarm site a, as (node, name).
fn placed(lab: &Lab) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for node in &lab.ctx.site("a").unwrap().swarm_nodes {
        let host = format!("unix://{}", node.socket().display());
        let out =
            archipel_testkit::run("docker", &["-H", &host, "ps", "-a", "--format", "{{.Names}}"]);
        assert!(out.status.success(), "docker ps at {}: {}", node.name, text(&out.stderr));
        all.extend(text(&out.stdout).lines().map(|c| (node.name.clone(), c.to_owned())));
    }
    all
}

#[test]
#[ignore = "needs root and docker"]
fn the_sipp_nsd_split_over_a_swarm_site_and_a_native_site_completes_its_calls() {
    let lab = Lab::up_with_swarm(2, 3);
    let status = text(&lab.lab(&["status"]).stdout);
    assert!(status.contains("swarm of 3 nodes"), "{status}");

    // A container at the manager first: the SIPp server then lands on a worker.
    let words = [&format!("image={IMAGE}"), &format!("name={}-filler", lab.ctx.name)];
    let filler = lab.json("a", &["pop", "spawn", words[0], words[1]]);
    assert_eq!(filler["status"], "RUNNING", "{filler}");

    let o = Orchestrator::over(&lab);
    let nsd = o.onboard_sipp("sipp-swarm", CALLS);
    let out = o.launch(&nsd, &[("sipp-server", "a"), ("sipp-client", "b")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), o.nfvo.log());
    let ns: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ns["extensionInfo"][0]["vimIds"], serde_json::json!(["a", "b"]), "{ns}");
    let net = s(&ns["extensionInfo"][0]["network"]).to_owned();
    let server = s(&vnfcs(&ns, "sipp-server")[0]["name"]).to_owned();
    let on = placed(&lab).into_iter().find(|(_, c)| *c == server).map(|(n, _)| n);
    assert!(on.as_deref().is_some_and(|n| n != "n1"), "the server is on {on:?}, not a worker");
    assert_calls(&lab, "b", s(&vnfcs(&ns, "sipp-client")[0]["name"]));

    o.json(&["ns", "terminate", s(&ns["id"]), "--wait"]);
    let removed = lab.cli("a", &["pop", "rm", s(&filler["name"])]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    for site in ["a", "b"] {
        assert_clean(&lab, site, &net);
    }
    assert_eq!(placed(&lab), Vec::<(String, String)>::new(), "containers left in the nodes");
    drop(o);
    lab.down();
}
