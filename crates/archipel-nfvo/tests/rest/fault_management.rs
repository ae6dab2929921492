//! NS fault management (issue 16): an alarm is read alone, acknowledged by PATCH, and notified
//! to `/nsfm/v1/subscriptions` subscribers as SOL005's AlarmNotification and
//! AlarmClearedNotification.

use std::time::Duration;

use archipel_nfvo::api::dto::{CreateNsRequest, InstantiateNsRequest};
use serde_json::json;

use crate::harness::{problem, Api, SIPP};
use crate::notifications::{callback, wait_for};

async fn patch(api: &Api, path: &str, body: serde_json::Value) -> crate::harness::Answer {
    let body = serde_json::to_vec(&body).unwrap();
    api.call("PATCH", path, Some("application/merge-patch+json"), body).await
}

#[tokio::test]
async fn alarms_are_read_acknowledged_and_notified() {
    let api = Api::start(&["a"]).await;
    let _watching = api.nfvo.watch_sites();
    let (url, received) = callback().await;
    let subscribed = api.post_json("/nsfm/v1/subscriptions", &json!({ "callbackUri": url })).await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.body);
    let subscription = subscribed.body["id"].as_str().unwrap().to_owned();
    let href = format!("/nsfm/v1/subscriptions/{subscription}");
    assert_eq!(subscribed.location.as_deref(), Some(href.as_str()));
    assert_eq!(api.get(&href).await.body["callbackUri"], url.as_str());
    let lcm_only = json!({ "callbackUri": url, "filter": {"notificationTypes": ["NsLcmOperationOccurrenceNotification"]} });
    let refused = api.post_json("/nsfm/v1/subscriptions", &lcm_only).await;
    assert!(problem(&refused, 400)["detail"].as_str().unwrap().contains("AlarmNotification"));

    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let create = CreateNsRequest { nsd_id: nsd.id, ns_name: None, ns_description: None };
    let id = api.client.create_ns(&create).await.unwrap().id;
    let request = InstantiateNsRequest { auto_heal: false, ..Default::default() };
    let op = api.client.instantiate(&id, &request).await.unwrap();
    api.client.wait(&op.id, |_| {}).await.unwrap();
    while api.client.sites().await.unwrap()[0].reachability != "REACHABLE" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ns = api.client.ns_instance(&id).await.unwrap();
    let server = ns.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-server").unwrap();
    let vnfc = server.vnfc_instances[0].name.clone();
    api.fake.end_workload("a", &vnfc, "FAILED", 137);

    // Raised: notified with the alarm as the API shows it, and the alarm read alone.
    let raised = wait_for(&received, 1).await.remove(0);
    assert_eq!(raised["notificationType"], "AlarmNotification", "{raised}");
    assert_eq!(raised["subscriptionId"], subscription.as_str());
    assert_eq!(raised["_links"]["subscription"]["href"], href.as_str());
    let alarm = raised["alarm"].clone();
    assert_eq!(alarm["managedObjectId"], id.as_str(), "{alarm}");
    assert_eq!(alarm["rootCauseFaultyResource"]["vnfcInstanceName"], vnfc.as_str());
    assert_eq!(alarm["ackState"], "UNACKNOWLEDGED");
    let alarm_id = alarm["id"].as_str().unwrap().to_owned();
    let path = format!("/nsfm/v1/alarms/{alarm_id}");
    assert_eq!(raised["_links"]["alarm"]["href"], path.as_str());
    let read = api.get(&path).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["perceivedSeverity"], "CRITICAL");
    problem(&api.get("/nsfm/v1/alarms/nope").await, 404);

    // Against a stale ETag, refused (412) before anything else; against the one read, taken,
    // and the alarm has a new ETag.
    let etag = read.headers["etag"].to_str().unwrap().to_owned();
    let merge = ("content-type", "application/merge-patch+json");
    let ack = serde_json::to_vec(&json!({"ackState": "ACKNOWLEDGED"})).unwrap();
    let stale = api.call_with("PATCH", &path, &[merge, ("if-match", "\"0\"")], ack.clone()).await;
    assert!(problem(&stale, 412)["detail"].as_str().unwrap().contains(&etag), "{}", stale.body);
    let acked = api.call_with("PATCH", &path, &[merge, ("if-match", &etag)], ack).await;
    assert_eq!((acked.status, acked.body.clone()), (200, json!({"ackState": "ACKNOWLEDGED"})));
    let now = acked.headers["etag"].to_str().unwrap().to_owned();
    assert_ne!(now, etag);
    assert_eq!(api.get(&path).await.headers["etag"].to_str().unwrap(), now);
    // Acknowledged once; twice is a conflict; a state that does not exist is refused.
    assert_eq!(api.get(&path).await.body["ackState"], "ACKNOWLEDGED");
    let again = patch(&api, &path, json!({"ackState": "ACKNOWLEDGED"})).await;
    assert!(problem(&again, 409)["detail"].as_str().unwrap().contains("ACKNOWLEDGED already"));
    problem(&patch(&api, &path, json!({"ackState": "MAYBE"})).await, 400);
    problem(&patch(&api, &path, json!({})).await, 400);
    problem(&patch(&api, "/nsfm/v1/alarms/nope", json!({"ackState": "ACKNOWLEDGED"})).await, 404);

    // Healed: the alarm clears, and the subscriber is told which and when.
    let heal = format!("/nslcm/v1/ns_instances/{id}/heal");
    let healing = api.post_json(&heal, &json!({})).await;
    assert_eq!(healing.status, 202, "{}", healing.body);
    let op_id = healing.body["id"].as_str().unwrap().to_owned();
    api.client.wait(&op_id, |_| {}).await.unwrap();
    let cleared = wait_for(&received, 2).await.remove(1);
    assert_eq!(cleared["notificationType"], "AlarmClearedNotification", "{cleared}");
    assert_eq!(cleared["alarmId"], alarm_id.as_str());
    assert!(cleared["alarmClearedTime"].as_str().is_some(), "{cleared}");
    assert_eq!(cleared["alarm"]["ackState"], "ACKNOWLEDGED", "{cleared}");

    let listed = api.get("/nsfm/v1/subscriptions").await.body;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(api.call("DELETE", &href, None, vec![]).await.status, 204);
    problem(&api.get(&href).await, 404);
}
