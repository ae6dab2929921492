//! Health, alarms and heal through the API, the sites behind the fake.

use std::time::Duration;

use archipel_nfvo::api::dto::{CreateNsRequest, InstantiateNsRequest};
use serde_json::json;

use crate::harness::{problem, Api, SIPP};

#[tokio::test]
async fn a_failed_vnfc_shows_with_an_alarm_and_heal_clears_it() {
    let api = Api::start(&["a"]).await;
    let _watching = api.nfvo.watch_sites();
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let create = CreateNsRequest { nsd_id: nsd.id, ns_name: None, ns_description: None };
    let id = api.client.create_ns(&create).await.unwrap().id;

    let answer = api.post_json(&format!("/nslcm/v1/ns_instances/{id}/heal"), &json!({})).await;
    assert!(problem(&answer, 409)["detail"].as_str().unwrap().contains("heal needs ACTIVE"));

    let request = InstantiateNsRequest { auto_heal: false, ..Default::default() };
    let op = api.client.instantiate(&id, &request).await.unwrap();
    api.client.wait(&op.id, |_| {}).await.unwrap();
    let ns = api.client.ns_instance(&id).await.unwrap();
    assert_eq!((ns.health.state.as_str(), ns.auto_heal), ("HEALTHY", false));
    while api.client.sites().await.unwrap()[0].reachability != "REACHABLE" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let heal = format!("/nslcm/v1/ns_instances/{id}/heal");
    let nothing = api.post_json(&heal, &json!({})).await;
    assert!(problem(&nothing, 400)["detail"].as_str().unwrap().contains("no failed VNFC"));
    let unknown = api.post_json(&heal, &json!({"vnfcInstanceNames": ["nope"]})).await;
    assert!(problem(&unknown, 400)["detail"].as_str().unwrap().contains("no VNFC instance nope"));
    let names: Vec<String> = (0..257).map(|i| format!("n{i}")).collect();
    let many = api.post_json(&heal, &json!({"vnfcInstanceNames": names})).await;
    assert!(problem(&many, 400)["detail"].as_str().unwrap().contains("at most 256"));
    problem(&api.post_json(&heal, &json!({"degree": "full"})).await, 400);

    let server = ns.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-server").unwrap();
    let server = server.vnfc_instances[0].clone();
    api.fake.end_workload("a", &server.name, "FAILED", 137);
    let degraded = loop {
        let ns = api.client.ns_instance(&id).await.unwrap();
        if ns.health.state == "DEGRADED" {
            break ns;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(degraded.health.reason.unwrap().contains(&server.name));
    assert!(degraded.health.since.is_some());
    let alarms = api.client.alarms().await.unwrap();
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(alarms[0].managed_object_id, id);
    assert_eq!(alarms[0].root_cause_faulty_resource.vnfc_instance_name, server.name);
    assert_eq!(alarms[0].perceived_severity, "CRITICAL");

    // An empty body heals every failed VNFC.
    let answer = api.call("POST", &heal, None, Vec::new()).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let op_id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.location, Some(format!("/nslcm/v1/ns_lcm_op_occs/{op_id}")));
    assert_eq!(answer.body["lcmOperationType"], "HEAL");
    assert_eq!(answer.body["isAutomaticInvocation"], false);
    let op = api.client.wait(&op_id, |_| {}).await.unwrap();
    assert_eq!(op.operation_state, "COMPLETED", "{op:?}");
    let healed = api.client.ns_instance(&id).await.unwrap();
    assert_eq!(healed.health.state, "HEALTHY");
    let vnfc = healed.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-server").unwrap();
    assert_eq!(vnfc.vnfc_instances[0].addresses, server.addresses);
    let alarms = api.client.alarms().await.unwrap();
    assert_eq!(alarms[0].perceived_severity, "CLEARED");
    assert!(alarms[0].alarm_cleared_time.is_some());
}
