//! VNF package management subscriptions (issue 16): a package's onboarding, its operational
//! state (disabled before it may be deleted) and its deletion are notified to `/vnfpkgm/v1/subscriptions` subscribers (SOL005's
//! VnfPackageOnboardingNotification and VnfPackageChangeNotification), and to them only.

use std::time::Duration;

use serde_json::json;

use crate::harness::{problem, Api};
use crate::notifications::{callback, wait_for};

/// An Open Baton package's tar, named `name`.
fn package(name: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let metadata = format!("name: {name}\n");
    for (path, content) in [("Metadata.yaml", metadata.as_bytes()), ("scripts/start.sh", b"true\n")]
    {
        let mut header = tar::Header::new_ustar();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, content).unwrap();
    }
    builder.into_inner().unwrap()
}

#[tokio::test]
async fn package_subscribers_hear_of_onboarding_and_deletion() {
    let api = Api::start(&[]).await;
    let (url, received) = callback().await;
    let made = api.post_json("/vnfpkgm/v1/subscriptions", &json!({ "callbackUri": url })).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let subscription = made.body["id"].as_str().unwrap().to_owned();
    let href = format!("/vnfpkgm/v1/subscriptions/{subscription}");
    assert_eq!(made.location.as_deref(), Some(href.as_str()));
    let (changes_url, changes) = callback().await;
    let only_changes = json!({ "callbackUri": changes_url,
                               "filter": {"notificationTypes": ["VnfPackageChangeNotification"]} });
    assert_eq!(api.post_json("/vnfpkgm/v1/subscriptions", &only_changes).await.status, 201);
    let (lcm_url, lcm) = callback().await;
    assert_eq!(
        api.post_json("/nslcm/v1/subscriptions", &json!({ "callbackUri": lcm_url })).await.status,
        201
    );
    assert_eq!(api.get("/vnfpkgm/v1/subscriptions").await.body.as_array().unwrap().len(), 2);
    let wrong =
        json!({ "callbackUri": url, "filter": {"notificationTypes": ["NsdChangeNotification"]} });
    let refused = api.post_json("/vnfpkgm/v1/subscriptions", &wrong).await;
    assert!(problem(&refused, 400)["detail"]
        .as_str()
        .unwrap()
        .contains("VnfPackageOnboardingNotification"));

    let pkg = api.post_json("/vnfpkgm/v1/vnf_packages", &json!({})).await;
    let id = pkg.body["id"].as_str().unwrap().to_owned();
    let content = format!("/vnfpkgm/v1/vnf_packages/{id}/package_content");
    let uploaded = api.call("PUT", &content, Some("application/x-tar"), package("iperf")).await;
    assert_eq!(uploaded.status, 202, "{}", uploaded.body);
    let onboarded = wait_for(&received, 1).await.remove(0);
    assert_eq!(onboarded["notificationType"], "VnfPackageOnboardingNotification", "{onboarded}");
    assert_eq!(
        (onboarded["vnfPkgId"].clone(), onboarded["vnfdId"].clone()),
        (json!(id), json!("iperf"))
    );
    assert_eq!(onboarded["subscriptionId"], subscription.as_str());
    assert_eq!(onboarded["_links"]["vnfPackage"]["href"], format!("/vnfpkgm/v1/vnf_packages/{id}"));
    assert_eq!(onboarded["_links"]["subscription"]["href"], href.as_str());

    // SOL005: an ENABLED package is not deleted; it is disabled first, against its ETag.
    let path = format!("/vnfpkgm/v1/vnf_packages/{id}");
    let refused = api.call("DELETE", &path, None, Vec::new()).await;
    assert!(problem(&refused, 409)["detail"].as_str().unwrap().contains("is ENABLED"));
    let shown = api.get(&path).await;
    assert_eq!(shown.body["operationalState"], "ENABLED");
    let etag = shown.headers["etag"].to_str().unwrap().to_owned();
    let patch = |state: &str| serde_json::to_vec(&json!({ "operationalState": state })).unwrap();
    let merge = ("content-type", "application/merge-patch+json");
    let stale = [merge, ("if-match", "\"0\"")];
    let stale = api.call_with("PATCH", &path, &stale, patch("DISABLED")).await;
    assert!(problem(&stale, 412)["detail"].as_str().unwrap().contains(&etag));
    let current = [merge, ("if-match", etag.as_str())];
    let disabled = api.call_with("PATCH", &path, &current, patch("DISABLED")).await;
    assert_eq!(
        (disabled.status, &disabled.body),
        (200, &json!({ "operationalState": "DISABLED" }))
    );
    assert_ne!(disabled.headers["etag"].to_str().unwrap(), etag);
    let again = api.call_with("PATCH", &path, &[merge], patch("DISABLED")).await;
    assert!(problem(&again, 409)["detail"].as_str().unwrap().contains("already DISABLED"));
    assert_eq!(api.get(&path).await.body["operationalState"], "DISABLED");
    let state_change = wait_for(&received, 2).await.remove(1);
    assert_eq!(state_change["notificationType"], "VnfPackageChangeNotification");
    assert_eq!(
        (state_change["changeType"].clone(), state_change["operationalState"].clone()),
        (json!("OP_STATE_CHANGE"), json!("DISABLED"))
    );

    assert_eq!(api.call("DELETE", &path, None, Vec::new()).await.status, 204);
    let deleted = wait_for(&received, 3).await.remove(2);
    assert_eq!(deleted["notificationType"], "VnfPackageChangeNotification", "{deleted}");
    assert_eq!(
        (deleted["changeType"].clone(), deleted["vnfPkgId"].clone()),
        (json!("PKG_DELETE"), json!(id))
    );
    let only = wait_for(&changes, 2).await;
    assert_eq!(
        (&only[0]["changeType"], &only[1]["changeType"]),
        (&json!("OP_STATE_CHANGE"), &json!("PKG_DELETE"))
    );

    // Neither the filtered subscriber nor a lifecycle one hears of the onboarding.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(changes.lock().unwrap().len(), 2);
    assert!(lcm.lock().unwrap().is_empty(), "{:?}", lcm.lock().unwrap());
    assert_eq!(api.call("DELETE", &href, None, Vec::new()).await.status, 204);
    problem(&api.get(&href).await, 404);
}
