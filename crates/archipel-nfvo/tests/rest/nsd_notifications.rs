//! NSD management subscriptions (issue 16): an NSD's onboarding, its failure, its changes of
//! operational state and its deletion are notified to `/nsd/v1/subscriptions` subscribers, and
//! to them only.

use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{problem, Api, SIPP};
use crate::notifications::{callback, wait_for};

async fn subscribe(api: &Api, path: &str, body: Value) -> String {
    let answer = api.post_json(path, &body).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.location, Some(format!("{path}/{id}")));
    id
}

#[tokio::test]
async fn nsd_subscribers_hear_of_onboarding_changes_and_deletion() {
    let api = Api::start(&[]).await;
    let (url, received) = callback().await;
    let subscription =
        subscribe(&api, "/nsd/v1/subscriptions", json!({ "callbackUri": url })).await;
    let (lcm_url, lcm_received) = callback().await;
    let lcm = subscribe(&api, "/nslcm/v1/subscriptions", json!({ "callbackUri": lcm_url })).await;
    let (other_url, other_received) = callback().await;
    let only_another = json!({ "callbackUri": other_url, "filter": {"nsdInfoId": ["another"]} });
    subscribe(&api, "/nsd/v1/subscriptions", only_another).await;

    // Each API shows its own subscriptions only.
    let listed = api.get("/nsd/v1/subscriptions").await.body;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    problem(&api.get(&format!("/nsd/v1/subscriptions/{lcm}")).await, 404);
    problem(&api.get(&format!("/nslcm/v1/subscriptions/{subscription}")).await, 404);

    let made = api.post_json("/nsd/v1/ns_descriptors", &json!({})).await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    let content = format!("/nsd/v1/ns_descriptors/{id}/nsd_content");
    let wrong = api.call("PUT", &content, Some("application/json"), b"{\"name\": 3}".to_vec());
    problem(&wrong.await, 400);
    let uploaded = api.call("PUT", &content, Some("application/json"), SIPP.to_vec()).await;
    assert_eq!(uploaded.status, 204, "{}", uploaded.body);
    let disable = serde_json::to_vec(&json!({"nsdOperationalState": "DISABLED"})).unwrap();
    let path = format!("/nsd/v1/ns_descriptors/{id}");
    assert_eq!(api.call("PATCH", &path, Some("application/json"), disable).await.status, 200);
    assert_eq!(api.call("DELETE", &path, None, vec![]).await.status, 204);

    let got = wait_for(&received, 4).await;
    let types: Vec<&str> = got.iter().map(|n| n["notificationType"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "NsdOnboardingFailureNotification",
            "NsdOnBoardingNotification",
            "NsdChangeNotification",
            "NsdDeletionNotification"
        ]
    );
    for notification in &got {
        assert_eq!(notification["nsdInfoId"], id.as_str());
        assert_eq!(notification["subscriptionId"], subscription.as_str());
        assert_eq!(notification["_links"]["nsdInfo"]["href"], path);
        let href = format!("/nsd/v1/subscriptions/{subscription}");
        assert_eq!(notification["_links"]["subscription"]["href"], href);
    }
    assert!(got[0]["onboardingFailureDetails"]["detail"].as_str().unwrap().contains("name"));
    assert_eq!(got[1]["nsdId"], id.as_str());
    assert_eq!(got[2]["nsdOperationalState"], "DISABLED");

    // Neither the lifecycle subscriber nor one filtering on another NSD heard of it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(lcm_received.lock().unwrap().is_empty());
    assert!(other_received.lock().unwrap().is_empty());

    let types = json!({ "callbackUri": url, "filter": {"notificationTypes": ["NsLcmOperationOccurrenceNotification"]} });
    let refused = api.post_json("/nsd/v1/subscriptions", &types).await;
    assert!(problem(&refused, 400)["detail"]
        .as_str()
        .unwrap()
        .contains("NsdOnBoardingNotification"));
    let gone = format!("/nsd/v1/subscriptions/{subscription}");
    assert_eq!(api.call("DELETE", &gone, None, vec![]).await.status, 204);
}
