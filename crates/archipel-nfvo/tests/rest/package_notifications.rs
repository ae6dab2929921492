//! VNF package management subscriptions (issue 16): a package's onboarding and its deletion
//! are notified to `/vnfpkgm/v1/subscriptions` subscribers (SOL005's
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

    assert_eq!(
        api.call("DELETE", &format!("/vnfpkgm/v1/vnf_packages/{id}"), None, Vec::new())
            .await
            .status,
        204
    );
    let deleted = wait_for(&received, 2).await.remove(1);
    assert_eq!(deleted["notificationType"], "VnfPackageChangeNotification", "{deleted}");
    assert_eq!(
        (deleted["changeType"].clone(), deleted["vnfPkgId"].clone()),
        (json!("PKG_DELETE"), json!(id))
    );
    let only = wait_for(&changes, 1).await;
    assert_eq!(only[0]["changeType"], "PKG_DELETE");

    // Neither the filtered subscriber nor a lifecycle one hears of the onboarding.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(changes.lock().unwrap().len(), 1);
    assert!(lcm.lock().unwrap().is_empty(), "{:?}", lcm.lock().unwrap());
    assert_eq!(api.call("DELETE", &href, None, Vec::new()).await.status, 204);
    problem(&api.get(&href).await, 404);
}
