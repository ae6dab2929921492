//! Lifecycle scripts against the fake sites: which script runs in which VNFC at each event,
//! with which variables, and what a failing one does.

use std::collections::BTreeMap;

use super::Setup;
use crate::model::{OperationState, Status, Step};
use crate::package::tests::tar_of;
use crate::vim::FakeCall;

const EVENTS: [&str; 7] =
    ["INSTANTIATE", "CONFIGURE", "START", "SCALE_OUT", "SCALE_IN", "HEAL", "TERMINATE"];

/// The TIERS-like pair: `client` depends on `server`'s address and hostname and has a script
/// per event, named after it (`configure.sh`, …), from package `package`.
fn nsd(package: &str) -> Vec<u8> {
    nsd_with(package, &EVENTS, 1)
}

/// The pair with client scripts at `events` only, and up to `clients` client instances.
fn nsd_with(package: &str, events: &[&str], clients: u32) -> Vec<u8> {
    let events: Vec<String> = events
        .iter()
        .map(|e| format!(r#"{{"event": "{e}", "lifecycle_events": ["{}.sh"]}}"#, e.to_lowercase()))
        .collect();
    format!(
        r#"{{"name": "pair", "vendor": "v", "version": "1", "vld": [{{"name": "private"}}],
        "vnfd": [
          {{"name": "server", "type": "server", "endpoint": "docker",
            "vdu": [{{"vm_image": ["img/s"], "scale_in_out": 3,
                     "vnfc": [{{"connection_point": [{{"virtual_link_reference": "private"}}]}}]}}],
            "virtual_link": [{{"name": "private"}}], "deployment_flavour": [{{"flavour_key": "f"}}]}},
          {{"name": "client", "type": "client", "endpoint": "docker", "vnfPackageLocation": "{package}",
            "lifecycle_event": [{}],
            "vdu": [{{"vm_image": ["img/c"], "scale_in_out": {clients},
                     "vnfc": [{{"connection_point": [{{"virtual_link_reference": "private"}}]}}]}}],
            "virtual_link": [{{"name": "private"}}], "deployment_flavour": [{{"flavour_key": "f"}}]}}
        ],
        "vnf_dependency": [{{"source": {{"name": "server"}}, "target": {{"name": "client"}},
                            "parameters": ["private", "hostname"]}}]}}"#,
        events.join(", "),
    )
    .into_bytes()
}

fn uploaded(setup: &Setup) -> String {
    let scripts: Vec<(String, Vec<u8>)> = EVENTS
        .iter()
        .map(|e| (format!("scripts/{}.sh", e.to_lowercase()), b"true\n".to_vec()))
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![("Metadata.yaml", b"name: client\n")];
    files.extend(scripts.iter().map(|(p, c)| (p.as_str(), c.as_slice())));
    let package = setup.nfvo.create_package().unwrap();
    setup.nfvo.upload_package(&package.id, &tar_of(&files)).unwrap();
    package.id
}

/// The scripts run since the calls were last cleared: (container, script, the source's
/// address if the script was given one).
fn runs(setup: &Setup) -> Vec<(String, String, Option<String>)> {
    let runs = setup.fake.calls().into_iter().filter_map(|call| match call {
        FakeCall::Exec { name, command, env, .. } => {
            Some((name, command[3].clone(), env.get("server_private").cloned()))
        }
        _ => None,
    });
    let runs = runs.collect();
    setup.fake.clear_calls();
    runs
}

#[tokio::test]
async fn each_event_runs_its_script_in_the_right_vnfcs() {
    let setup = Setup::new(&["a"]).await;
    let package = uploaded(&setup);
    setup.fake.clear_calls();
    let nsr = setup.launch(&nsd(&package)).await;
    let vnfc =
        |nsr: &crate::model::Nsr, vnf: &str, i: usize| nsr.vnfr(vnf).unwrap().vnfcs[i].clone();
    let (client, server) = (vnfc(&nsr, "client", 0), vnfc(&nsr, "server", 0));
    let server_addr = Some(server.addresses["private"].clone());
    let c = client.name.clone();
    assert_eq!(
        runs(&setup),
        [
            (c.clone(), "instantiate.sh".to_owned(), None),
            (c.clone(), "configure.sh".to_owned(), server_addr.clone()),
            (c.clone(), "start.sh".to_owned(), None),
        ]
    );

    // Scale out: the running client hears of the new server; nobody is re-created.
    let op = setup.scale(&nsr, "server", 2).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
    let new = vnfc(&nsr, "server", 1);
    assert_eq!(
        runs(&setup),
        [(c.clone(), "scale_out.sh".to_owned(), Some(new.addresses["private"].clone()))]
    );

    // Scale in: the client hears that it went.
    let op = setup.scale(&nsr, "server", 1).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert_eq!(
        runs(&setup),
        [(c.clone(), "scale_in.sh".to_owned(), Some(new.addresses["private"].clone()))]
    );

    // Heal: the new container is brought up again, then told why.
    let op = setup.nfvo.heal(&nsr.id, vec![c.clone()]).unwrap();
    let op = setup.nfvo.wait(&op.id).await.unwrap();
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let scripts: Vec<String> = runs(&setup).into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(scripts, ["instantiate.sh", "configure.sh", "start.sh", "heal.sh"]);

    // Terminate: TERMINATE first, even if it fails.
    setup.fake.exit_on_exec("terminate.sh", 3);
    let op = setup.terminate(&nsr).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert_eq!(runs(&setup), [(c, "terminate.sh".to_owned(), None)]);
    assert!(setup.names("a").is_empty());
}

#[tokio::test]
async fn targets_without_a_scale_out_script_are_configured_again_each_of_them() {
    let setup = Setup::new(&["a"]).await;
    let package = uploaded(&setup);
    let events = ["INSTANTIATE", "CONFIGURE", "START"];
    let nsr = setup.launch(&nsd_with(&package, &events, 2)).await;
    let op = setup.scale(&nsr, "client", 2).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    setup.fake.clear_calls();

    // Open Baton's generic VNFM runs CONFIGURE again on each running target when it has no
    // SCALE_OUT script.
    let op = setup.scale(&nsr, "server", 2).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    let nsr = setup.nfvo.nsr(&nsr.id).unwrap();
    let new = Some(nsr.vnfr("server").unwrap().vnfcs[1].addresses["private"].clone());
    let clients: Vec<String> =
        nsr.vnfr("client").unwrap().vnfcs.iter().map(|v| v.name.clone()).collect();
    assert_eq!(clients.len(), 2);
    let expected: Vec<_> =
        clients.iter().map(|c| (c.clone(), "configure.sh".to_owned(), new.clone())).collect();
    assert_eq!(runs(&setup), expected);
}

#[tokio::test]
async fn a_failing_script_fails_its_step_and_undoes_the_launch() {
    let setup = Setup::new(&["a"]).await;
    let package = uploaded(&setup);
    setup.fake.exit_on_exec("configure.sh", 2);
    let nsr = setup.create(&nsd(&package));
    let op = setup.instantiate(&nsr, &[]).await;
    assert_eq!(op.state, OperationState::Failed, "{op:?}");
    let failure = op.error.unwrap();
    assert_eq!(failure.step, Step::Script);
    assert!(
        failure.reason.starts_with("the CONFIGURE script configure.sh in container client-"),
        "{}",
        failure.reason
    );
    assert!(
        failure.reason.contains("exited with 2; its output ended: ran in client-"),
        "{}",
        failure.reason
    );
    assert_eq!(setup.nfvo.nsr(&nsr.id).unwrap().status, Status::Error);
    assert!(setup.names("a").is_empty());
    assert!(setup.fake.networks("a").is_empty());
}

#[tokio::test]
async fn the_variables_are_open_batons_and_ours() {
    let setup = Setup::new(&["a"]).await;
    let package = uploaded(&setup);
    setup.fake.clear_calls();
    let nsr = setup.launch(&nsd(&package)).await;
    let client = nsr.vnfr("client").unwrap().vnfcs[0].clone();
    let server = nsr.vnfr("server").unwrap().vnfcs[0].clone();
    let configure: BTreeMap<String, String> = setup
        .fake
        .calls()
        .into_iter()
        .find_map(|call| match call {
            FakeCall::Exec { command, env, .. } if command[3] == "configure.sh" => Some(env),
            _ => None,
        })
        .unwrap();
    for (key, value) in [
        ("hostname", client.name.as_str()),
        ("private", client.addresses["private"].as_str()),
        ("server_hostname", server.name.as_str()),
        ("server_private", server.addresses["private"].as_str()),
        ("SERVER_PRIVATE", server.addresses["private"].as_str()),
        ("SELF_HOSTNAME", client.name.as_str()),
    ] {
        assert_eq!(configure.get(key).map(String::as_str), Some(value), "{key}: {configure:?}");
    }
}

#[tokio::test]
async fn a_disabled_package_is_named_by_no_new_nsd_and_kept_by_those_before() {
    let setup = Setup::new(&["a"]).await;
    let package = uploaded(&setup);
    let before = setup.nfvo.onboard_nsd(&nsd(&package)).unwrap();
    let record = setup.nfvo.set_package_enabled(&package, false, None).unwrap();
    assert!(!record.enabled());
    let refused = setup.nfvo.onboard_nsd(&nsd(&package)).unwrap_err();
    let said = crate::error::chain(&refused);
    assert!(said.contains("vnfd[1].vnfPackageLocation") && said.contains("DISABLED"), "{said}");
    // The NSD onboarded before still makes a service, with its scripts.
    let new = crate::engine::NewNs {
        nsd_id: before.id.clone(),
        name: String::new(),
        description: String::new(),
    };
    let nsr = setup.nfvo.create_ns(new).unwrap();
    let op = setup.instantiate(&nsr, &[]).await;
    assert_eq!(op.state, OperationState::Completed, "{op:?}");
    assert!(!runs(&setup).is_empty());
    setup.nfvo.set_package_enabled(&package, true, None).unwrap();
    setup.nfvo.onboard_nsd(&nsd(&package)).unwrap();
}
