//! Refused NSDs: 400, problem details with the exact path, nothing stored.

use serde_json::{json, Value};

use crate::harness::{problem, Api, SIPP};

/// The Appendix C NSD reduced to plain JSON; each case breaks one thing in it.
fn base() -> Value {
    json!({
        "name": "sipp", "vendor": "mcilloni", "version": "1.0",
        "vld": [{"name": "private"}],
        "vnfd": [
            {"name": "sipp-client", "type": "client", "endpoint": "docker",
             "vdu": [{"vm_image": ["mcilloni/sipp-client:latest"], "scale_in_out": 5,
                      "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}],
                      "vimInstanceName": []}],
             "configurations": {"name": "sipp-configuration",
                                "configurationParameters": [{"confKey": "SIPP_RATE", "value": "10"}]},
             "virtual_link": [{"name": "private"}],
             "deployment_flavour": [{"flavour_key": "docker.container"}]},
            {"name": "sipp-server", "type": "server", "endpoint": "docker",
             "vdu": [{"vm_image": ["mcilloni/sipp-server:latest"], "scale_in_out": 1,
                      "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}],
                      "vimInstanceName": []}],
             "virtual_link": [{"name": "private"}],
             "deployment_flavour": [{"flavour_key": "docker.container"}]}
        ],
        "vnf_dependency": [{"source": {"name": "sipp-server"}, "target": {"name": "sipp-client"},
                            "parameters": ["private"]}]
    })
}

fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut cases = vec![
        ("not JSON", b"{\"name\": \"sipp\" \"vendor\": 1}".to_vec(), "."),
        ("not an object", b"\"sipp\"".to_vec(), "."),
    ];
    cases.extend(archipel_testkit::broken_nsds(&base()));
    cases
}

#[tokio::test]
async fn each_invalid_nsd_is_refused_at_its_exact_path_and_nothing_is_stored() {
    let api = Api::start(&[]).await;
    let cases = cases();
    assert!(cases.len() >= 12);
    for (name, document, path) in cases {
        let answer =
            api.call("POST", "/nsd/v1/ns_descriptors", Some("application/json"), document).await;
        let body = problem(&answer, 400);
        assert_eq!(body["path"], path, "{name}: {body}");
        assert_eq!(body["type"], "urn:archipel:problem:invalid-nsd", "{name}");
        if path != "." {
            assert!(body["detail"].as_str().unwrap().starts_with(path), "{name}: {body}");
        }
    }
    assert_eq!(api.get("/nsd/v1/ns_descriptors").await.body, json!([]));
    assert!(api.nfvo.store().nsds().unwrap().is_empty());
}

#[tokio::test]
async fn the_example_nsd_onboards_as_it_is() {
    let api = Api::start(&[]).await;
    let answer =
        api.call("POST", "/nsd/v1/ns_descriptors", Some("application/json"), SIPP.to_vec()).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.location.as_deref(), Some(format!("/nsd/v1/ns_descriptors/{id}").as_str()));
    assert_eq!(answer.body["nsdName"], "docker-test-NS-sipp");
    assert_eq!(answer.body["nsdDesigner"], "mcilloni");
    assert_eq!(answer.body["nsdUsageState"], "NOT_IN_USE");

    let listed = api.client.nsds().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    // The document is kept exactly as posted, trailing comma included.
    let content = reqwest::Client::new()
        .get(format!("{}/nsd/v1/ns_descriptors/{id}/nsd_content", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(content.bytes().await.unwrap().as_ref(), SIPP);

    // SOL005: an NSD is deleted once disabled.
    let conflict = api.call("DELETE", &format!("/nsd/v1/ns_descriptors/{id}"), None, vec![]).await;
    assert!(problem(&conflict, 409)["detail"].as_str().unwrap().contains("disable it first"));
    api.client.disable_nsd(&id).await.unwrap();
    api.client.delete_nsd(&id).await.unwrap();
    let gone = api.get(&format!("/nsd/v1/ns_descriptors/{id}")).await;
    problem(&gone, 404);
}

#[tokio::test]
async fn the_example_nsds_lifecycle_events_and_scaling_policy_are_warnings() {
    let api = Api::start(&[]).await;
    let answer =
        api.call("POST", "/nsd/v1/ns_descriptors", Some("application/json"), SIPP.to_vec()).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let paths = |body: &serde_json::Value| -> Vec<String> {
        let warnings = body["warnings"].as_array().unwrap();
        for w in warnings {
            assert!(w["message"].as_str().unwrap().contains("is not acted on"), "{w}");
        }
        warnings.iter().map(|w| w["path"].as_str().unwrap().to_owned()).collect()
    };
    let expected =
        ["vnfd[0].auto_scale_policy", "vnfd[0].lifecycle_event", "vnfd[1].lifecycle_event"];
    assert_eq!(paths(&answer.body), expected);
    // The NSD info keeps saying so.
    let id = answer.body["id"].as_str().unwrap();
    assert_eq!(paths(&api.get(&format!("/nsd/v1/ns_descriptors/{id}")).await.body), expected);
}
