//! Subscriptions: lifecycle notifications POSTed to a callback server in the test, in order; a
//! dead callback delays nothing; the event stream for people.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use archipel_nfvo::api::dto::{CreateNsRequest, HealNsRequest, ScaleNsRequest};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Json;
use serde_json::{json, Value};

use crate::harness::{problem, Api, SIPP};

pub type Received = Arc<Mutex<Vec<Value>>>;

/// A callback server on a loopback port that keeps what it is POSTed, and passes the NFVO's
/// test (a GET answered 204).
pub async fn callback() -> (String, Received) {
    let received = Received::default();
    let app = axum::Router::new()
        .route(
            "/notify",
            post(|State(r): State<Received>, Json(body): Json<Value>| async move {
                r.lock().unwrap().push(body);
            })
            .get(|| async { StatusCode::NO_CONTENT }),
        )
        .with_state(received.clone());
    (serve(app).await, received)
}

/// Serves `app` on a loopback port: the URL of its `/notify`.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A callback that passes the test but fails every delivery.
async fn failing_url() -> String {
    let app = axum::Router::new().route(
        "/notify",
        post(|| async { StatusCode::SERVICE_UNAVAILABLE }).get(|| async { StatusCode::NO_CONTENT }),
    );
    serve(app).await
}

/// A URL where nothing listens.
async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    format!("http://{}/notify", listener.local_addr().unwrap())
}

async fn subscribe(api: &Api, body: Value) -> String {
    let answer = api.post_json("/nslcm/v1/subscriptions", &body).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.location, Some(format!("/nslcm/v1/subscriptions/{id}")));
    id
}

/// Waits until `received` holds `n` notifications (at most a minute, a failure guard only).
pub async fn wait_for(received: &Received, n: usize) -> Vec<Value> {
    for _ in 0..600 {
        let got = received.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} notifications: {:?}", received.lock().unwrap());
}

#[tokio::test]
async fn a_subscriber_gets_launch_scale_heal_terminate_in_order_and_a_dead_one_delays_nothing() {
    let api = Api::start(&["a"]).await;
    let _watching = api.nfvo.watch_sites();
    // The dead subscriber comes first, so that it would delay the other if delivery were shared.
    let dead = subscribe(&api, json!({ "callbackUri": failing_url().await })).await;
    let (url, received) = callback().await;
    let only_lifecycle = json!({ "notificationTypes": ["NsLcmOperationOccurrenceNotification"] });
    let live = subscribe(&api, json!({ "callbackUri": url, "filter": only_lifecycle })).await;

    let listed = api.get("/nslcm/v1/subscriptions").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2, "{}", listed.body);
    // The filter is 0..1 in SOL005: a selector may leave it out.
    let unfiltered = api.get_query("/nslcm/v1/subscriptions", "exclude_fields=filter").await;
    assert_eq!(unfiltered.status, 200, "{}", unfiltered.body);
    assert!(unfiltered.body[0].get("filter").is_none(), "{}", unfiltered.body);
    let shown = api.get(&format!("/nslcm/v1/subscriptions/{live}")).await;
    assert_eq!(shown.body["callbackUri"], url);
    assert_eq!(shown.body["filter"], only_lifecycle);

    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let request =
        CreateNsRequest { nsd_id: nsd.id, ns_name: Some("n".into()), ns_description: None };
    let ns = api.client.create_ns(&request).await.unwrap().id;
    let launch = api.client.instantiate(&ns, &Default::default()).await.unwrap();
    assert_eq!(api.client.wait(&launch.id, |_| {}).await.unwrap().operation_state, "COMPLETED");
    let scale = ScaleNsRequest {
        vnf_name: Some("sipp-client".into()),
        number_of_instances: Some(2),
        ..Default::default()
    };
    let scale = api.client.scale(&ns, &scale).await.unwrap();
    assert_eq!(api.client.wait(&scale.id, |_| {}).await.unwrap().operation_state, "COMPLETED");
    // The server's workload fails; the watch sees it; a heal brings it back.
    while api.client.sites().await.unwrap()[0].reachability != "REACHABLE" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let record = api.client.ns_instance(&ns).await.unwrap();
    let server = record.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-server").unwrap();
    api.fake.end_workload("a", &server.vnfc_instances[0].name, "FAILED", 137);
    while api.client.ns_instance(&ns).await.unwrap().health.state != "DEGRADED" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let heal = api.client.heal(&ns, &HealNsRequest::default()).await.unwrap();
    assert_eq!(api.client.wait(&heal.id, |_| {}).await.unwrap().operation_state, "COMPLETED");
    let terminate = api.client.terminate(&ns).await.unwrap();
    assert_eq!(api.client.wait(&terminate.id, |_| {}).await.unwrap().operation_state, "COMPLETED");

    let got = wait_for(&received, 8).await;
    let seen: Vec<(&str, &str, &str, &str)> = got
        .iter()
        .map(|n| {
            assert_eq!(n["notificationType"], "NsLcmOperationOccurrenceNotification");
            assert_eq!(n["subscriptionId"], live.as_str());
            assert_eq!(n["nsInstanceId"], ns.as_str());
            let op = n["nsLcmOpOccId"].as_str().unwrap();
            assert_eq!(n["_links"]["nsLcmOpOcc"]["href"], format!("/nslcm/v1/ns_lcm_op_occs/{op}"));
            (
                op,
                n["operation"].as_str().unwrap(),
                n["notificationStatus"].as_str().unwrap(),
                n["operationState"].as_str().unwrap(),
            )
        })
        .collect();
    let expected = [
        (launch.id.as_str(), "INSTANTIATE", "START", "PROCESSING"),
        (launch.id.as_str(), "INSTANTIATE", "RESULT", "COMPLETED"),
        (scale.id.as_str(), "SCALE", "START", "PROCESSING"),
        (scale.id.as_str(), "SCALE", "RESULT", "COMPLETED"),
        (heal.id.as_str(), "HEAL", "START", "PROCESSING"),
        (heal.id.as_str(), "HEAL", "RESULT", "COMPLETED"),
        (terminate.id.as_str(), "TERMINATE", "START", "PROCESSING"),
        (terminate.id.as_str(), "TERMINATE", "RESULT", "COMPLETED"),
    ];
    assert_eq!(seen, expected);

    // The people's stream holds the same eight among its lifecycle events, in the same order
    // (the watch's alarm and health events come between them).
    let (status, content_type, text) = api.get_text("/archipel/v1/events?follow=false").await;
    assert_eq!((status, content_type.as_str()), (200, "text/event-stream"), "{text}");
    let streamed: Vec<Value> = text
        .split("\n\n")
        .filter(|block| block.starts_with("event: lifecycle\n"))
        .map(|block| {
            let data = block.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
            serde_json::from_str(data).unwrap()
        })
        .collect();
    let streamed: Vec<(&str, &str)> = streamed
        .iter()
        .map(|e| {
            assert_eq!(e["type"], "NsLcmOperationOccurrenceNotification");
            assert!(e["time"].as_str().is_some(), "{e}");
            (e["nsLcmOpOccId"].as_str().unwrap(), e["notificationStatus"].as_str().unwrap())
        })
        .collect();
    let expected: Vec<(&str, &str)> = expected.iter().map(|(op, _, s, _)| (*op, *s)).collect();
    assert_eq!(streamed, expected);

    let deleted =
        api.call("DELETE", &format!("/nslcm/v1/subscriptions/{dead}"), None, Vec::new()).await;
    assert_eq!(deleted.status, 204);
    let gone = api.get(&format!("/nslcm/v1/subscriptions/{dead}")).await;
    problem(&gone, 404);
}

#[tokio::test]
async fn subscriptions_refuse_bad_callbacks_and_filters() {
    let api = Api::start(&[]).await;
    let long = format!("http://example.com/{}", "a".repeat(2100));
    let cases = [
        (json!({ "callbackUri": "ftp://example.com/x" }), "scheme ftp"),
        (json!({ "callbackUri": "not a url" }), "not a URL"),
        (json!({ "callbackUri": long }), "at most 2048"),
        (json!({ "callbackUri": "http://user:pw@example.com/x" }), "credentials"),
        (
            json!({ "callbackUri": "http://example.com/x", "filter": { "operationTypes": ["HEAL!"] } }),
            "filter.operationTypes holds HEAL!, which is no lifecycle operation type",
        ),
        (json!({ "callbackUri": "http://example.com/x", "extra": 1 }), "unknown field"),
    ];
    for (body, says) in cases {
        let answer = api.post_json("/nslcm/v1/subscriptions", &body).await;
        let detail = problem(&answer, 400)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(says), "{body}: {detail}");
        assert!(!detail.contains("pw@"), "{detail}");
    }
    assert_eq!(api.get("/nslcm/v1/subscriptions").await.body, json!([]));
}

/// A callback that answers 503 to its first `failures` POSTs, then keeps what it is POSTed.
async fn flaky_callback(failures: usize) -> (String, Received) {
    let received = Received::default();
    let calls = Arc::new(Mutex::new(0usize));
    let app = axum::Router::new()
        .route(
            "/notify",
            post(move |State(r): State<Received>, Json(body): Json<Value>| {
                let calls = calls.clone();
                async move {
                    let mut calls = calls.lock().unwrap();
                    *calls += 1;
                    if *calls <= failures {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    r.lock().unwrap().push(body);
                    axum::http::StatusCode::NO_CONTENT
                }
            })
            .get(|| async { StatusCode::NO_CONTENT }),
        )
        .with_state(received.clone());
    (serve(app).await, received)
}

#[tokio::test]
async fn a_refused_notification_is_retried_and_the_order_kept() {
    let api = Api::start(&["a"]).await;
    let (url, received) = flaky_callback(2).await;
    subscribe(&api, json!({ "callbackUri": url })).await;
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let request = CreateNsRequest { nsd_id: nsd.id, ns_name: None, ns_description: None };
    let ns = api.client.create_ns(&request).await.unwrap().id;
    let launch = api.client.instantiate(&ns, &Default::default()).await.unwrap();
    api.client.wait(&launch.id, |_| {}).await.unwrap();
    let got = wait_for(&received, 2).await;
    let statuses: Vec<&str> =
        got.iter().map(|n| n["notificationStatus"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["START", "RESULT"]);
}

#[tokio::test]
async fn a_callback_that_fails_the_test_is_not_subscribed() {
    let api = Api::start(&[]).await;
    let answers_200 = serve(axum::Router::new().route("/notify", axum::routing::get(|| async {})));
    for (url, says) in [(dead_url().await, "connect"), (answers_200.await, "200 ok")] {
        let answer = api.post_json("/nslcm/v1/subscriptions", &json!({ "callbackUri": url })).await;
        let detail = problem(&answer, 422)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("204") && detail.to_lowercase().contains(says), "{detail}");
        assert!(!detail.contains(&url), "the URL is not repeated: {detail}");
    }
    assert_eq!(api.get("/nslcm/v1/subscriptions").await.body, json!([]));
}

#[tokio::test]
async fn an_ns_instance_filter_takes_services_by_name_descriptor_and_vnf_descriptor() {
    let api = Api::start(&["a"]).await;
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let filtered = |ns_filter: Value| {
        json!({
            "notificationTypes": ["NsLcmOperationOccurrenceNotification"],
            "nsInstanceSubscriptionFilter": ns_filter,
        })
    };
    let filters = [
        ("by name", filtered(json!({ "nsInstanceNames": ["kept"] })), 2),
        ("by NSD", filtered(json!({ "nsdIds": [nsd.id] })), 4),
        ("by VNFD", filtered(json!({ "vnfdIds": ["sipp-server", "nothing"] })), 4),
        ("by another VNFD", filtered(json!({ "vnfdIds": ["nothing"] })), 0),
        ("by PNFD", filtered(json!({ "pnfdIds": ["any"] })), 0),
    ];
    let mut subscribers = Vec::new();
    for (what, filter, expected) in filters {
        let (url, received) = callback().await;
        subscribe(&api, json!({ "callbackUri": url, "filter": filter.clone() })).await;
        subscribers.push((what, filter, expected, received));
    }
    let mut kept = None;
    for name in ["kept", "other"] {
        let request = CreateNsRequest {
            nsd_id: nsd.id.clone(),
            ns_name: Some(name.into()),
            ns_description: None,
        };
        let ns = api.client.create_ns(&request).await.unwrap().id;
        let launch = api.client.instantiate(&ns, &Default::default()).await.unwrap();
        let ended = api.client.wait(&launch.id, |_| {}).await.unwrap();
        assert_eq!(ended.operation_state, "COMPLETED");
        kept.get_or_insert(ns);
    }
    // Once the subscriber that takes everything has had all four, a notification wrongly
    // taken by another would have had time to arrive too.
    wait_for(&subscribers[1].3, 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for (what, filter, expected, received) in &subscribers {
        let got = wait_for(received, *expected).await;
        assert_eq!(got.len(), *expected, "{what}: {filter}: {got:?}");
        if *what == "by name" {
            assert!(got.iter().all(|n| n["nsInstanceId"] == kept.as_deref().unwrap()), "{got:?}");
        }
    }
    let listed = api.get("/nslcm/v1/subscriptions").await;
    let by_name = listed.body.as_array().unwrap().iter().filter(|s| {
        s["filter"]["nsInstanceSubscriptionFilter"]["nsInstanceNames"] == json!(["kept"])
    });
    assert_eq!(by_name.count(), 1, "{}", listed.body);
}

#[tokio::test]
async fn an_ns_instance_filter_gives_one_of_each_group() {
    let api = Api::start(&[]).await;
    let cases = [
        (
            json!({ "nsdIds": ["a"], "vnfdIds": ["b"] }),
            "more than one of nsdIds, vnfdIds and pnfdIds",
        ),
        (
            json!({ "nsInstanceIds": ["a"], "nsInstanceNames": ["b"] }),
            "both nsInstanceIds and nsInstanceNames",
        ),
        (
            json!({ "nsInstanceNames": ["n".repeat(256)] }),
            "filter.nsInstanceNames holds a value of 256 bytes",
        ),
    ];
    for (ns_filter, says) in cases {
        let body = json!({
            "callbackUri": "http://example.com/x",
            "filter": { "nsInstanceSubscriptionFilter": ns_filter },
        });
        let answer = api.post_json("/nslcm/v1/subscriptions", &body).await;
        let detail = problem(&answer, 400)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(says), "{body}: {detail}");
    }
}
