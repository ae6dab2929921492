//! `/metrics`: a reader gets the series in the text format, and they move with the operations.

use archipel_nfvo::api::dto::CreateNsRequest;
use archipel_testkit::parse_metrics;
use serde_json::json;

use crate::harness::{Api, SIPP};

#[tokio::test]
async fn the_series_parse_and_move_with_launches_and_failed_logins() {
    let api = Api::start(&["a"]).await;
    let scrape = || async {
        let (status, content_type, text) = api.get_text("/metrics").await;
        assert_eq!(status, 200, "{text}");
        assert!(content_type.starts_with("application/openmetrics-text"), "{content_type}");
        parse_metrics(&text)
    };
    let before = scrape().await;
    let launched = "archipel_nfvo_operations_total{type=\"INSTANTIATE\",outcome=\"COMPLETED\"}";
    assert_eq!(before.get(launched), None);

    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let request = CreateNsRequest { nsd_id: nsd.id, ns_name: None, ns_description: None };
    let ns = api.client.create_ns(&request).await.unwrap().id;
    let op = api.client.instantiate(&ns, &Default::default()).await.unwrap();
    api.client.wait(&op.id, |_| {}).await.unwrap();
    let wrong = json!({ "username": "admin", "password": "not-the-password" });
    assert_eq!(api.post_json("/auth/v1/login", &wrong).await.status, 401);

    let after = scrape().await;
    assert_eq!(after.get(launched), Some(&1.0), "{after:?}");
    let timed = "archipel_nfvo_operation_seconds_count{type=\"INSTANTIATE\",outcome=\"COMPLETED\"}";
    assert_eq!(after.get(timed), Some(&1.0), "{after:?}");
    assert_eq!(after.get("archipel_nfvo_ns_instances{status=\"ACTIVE\"}"), Some(&1.0));
    let failed = "archipel_logins_failed_total";
    assert_eq!(after[failed], before[failed] + 1.0);

    // Like every route, it needs a credential.
    let anonymous = api.call_as(None, "GET", "/metrics", None, Vec::new()).await;
    assert_eq!(anonymous.status, 401);
}
