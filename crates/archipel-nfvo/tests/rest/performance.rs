//! NS performance management (issue 16): PM jobs measure NS instances and report over
//! `/nspm/v1/pm_jobs` (PerformanceInformationAvailableNotification to their callback), and
//! thresholds notify their crossings (ThresholdCrossedNotification), as SOL005 shapes them.

use archipel_nfvo::api::dto::{CreateNsRequest, InstantiateNsRequest};
use serde_json::{json, Value};

use crate::harness::{problem, Api, SIPP};
use crate::notifications::{callback, wait_for};
use crate::sol005::act;

/// An NS instance of the SIPp NSD (a client and a server) on site a.
async fn launched(api: &Api) -> String {
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let create = CreateNsRequest { nsd_id: nsd.id, ns_name: None, ns_description: None };
    let id = api.client.create_ns(&create).await.unwrap().id;
    let op = api.client.instantiate(&id, &InstantiateNsRequest::default()).await.unwrap();
    api.client.wait(&op.id, |_| {}).await.unwrap();
    id
}

fn scale(kind: &str) -> Value {
    json!({"scaleType": "SCALE_VNF", "scaleVnfData": [{"vnfInstanceId": "sipp-client",
           "scaleVnfType": kind, "scaleByStepData": {"aspectId": "a", "numberOfSteps": 1}}]})
}

async fn patch(api: &Api, path: &str, body: Value) -> crate::harness::Answer {
    let body = serde_json::to_vec(&body).unwrap();
    api.call("PATCH", path, Some("application/merge-patch+json"), body).await
}

#[tokio::test]
async fn a_pm_job_reports_what_it_measures_and_notifies_each_report() {
    let api = Api::start(&["a"]).await;
    let _collecting = api.nfvo.collect_performance();
    let id = launched(&api).await;
    let (url, received) = callback().await;
    let request = json!({
        "objectType": "NS", "objectInstanceIds": [id], "callbackUri": url,
        "criteria": {"performanceMetric": ["VnfcInstances", "LcmOperations"],
                     "collectionPeriod": 1, "reportingPeriod": 2}
    });
    let created = api.post_json("/nspm/v1/pm_jobs", &request).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let job = created.body["id"].as_str().unwrap().to_owned();
    let href = format!("/nspm/v1/pm_jobs/{job}");
    assert_eq!(created.location.as_deref(), Some(href.as_str()));
    assert_eq!(
        created.body["_links"]["objects"][0]["href"],
        format!("/nslcm/v1/ns_instances/{id}")
    );
    assert_eq!(created.body["criteria"]["reportingPeriod"], 2);

    // The report is notified, then read where the notification points.
    let notified = wait_for(&received, 1).await.remove(0);
    assert_eq!(notified["notificationType"], "PerformanceInformationAvailableNotification");
    assert_eq!(
        (notified["pmJobId"].clone(), notified["objectInstanceId"].clone()),
        (json!(job), json!(id))
    );
    let report_href = notified["_links"]["performanceReport"]["href"].as_str().unwrap().to_owned();
    assert!(report_href.starts_with(&format!("{href}/reports/")), "{notified}");
    let report = api.get(&report_href).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let entries = report.body["entries"].as_array().unwrap().clone();
    let values = |metric: &str| -> Vec<f64> {
        let entry = entries.iter().find(|e| e["performanceMetric"] == metric).unwrap();
        assert_eq!(
            (entry["objectType"].clone(), entry["objectInstanceId"].clone()),
            (json!("NS"), json!(id))
        );
        let values = entry["performanceValues"].as_array().unwrap();
        assert!(values.iter().all(|v| v["timeStamp"].as_str().unwrap().ends_with('Z')));
        values.iter().map(|v| v["value"].as_f64().unwrap()).collect()
    };
    assert!(
        !values("VnfcInstances").is_empty() && values("VnfcInstances").iter().all(|v| *v == 2.0)
    );
    assert!(values("LcmOperations").iter().all(|v| *v == 1.0), "{entries:?}");
    let shown = api.get(&href).await.body;
    assert!(shown["reports"].as_array().unwrap().iter().any(|r| r["href"] == report_href.as_str()));

    // A scale shows in the next reports.
    act(&api, &id, "scale", &scale("SCALE_OUT")).await;
    let already = received.lock().unwrap().len();
    let next = wait_for(&received, already + 2).await.pop().unwrap();
    let report = api.get(next["_links"]["performanceReport"]["href"].as_str().unwrap()).await;
    let entry = report.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["performanceMetric"] == "VnfcInstances")
        .cloned()
        .unwrap();
    assert!(
        entry["performanceValues"].as_array().unwrap().iter().all(|v| v["value"] == 3.0),
        "{entry}"
    );

    // The collection: filters, exclude_default leaves the reports out.
    let listed = api.get_query("/nspm/v1/pm_jobs", "exclude_default").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(listed.body[0].get("reports").is_none(), "{}", listed.body);
    let none = api.get_query("/nspm/v1/pm_jobs", "filter=(eq,objectType,VNF)").await;
    assert_eq!(none.body, json!([]));

    // PATCH: a callback that fails the test is refused; one that passes takes over.
    let refused = patch(&api, &href, json!({"callbackUri": "http://127.0.0.1:1/x"})).await;
    problem(&refused, 422);
    let (other, moved) = callback().await;
    let changed = patch(&api, &href, json!({"callbackUri": other})).await;
    assert_eq!((changed.status, changed.body.clone()), (200, json!({"callbackUri": other})));
    wait_for(&moved, 1).await;

    // Deleted with its reports.
    assert_eq!(api.call("DELETE", &href, None, Vec::new()).await.status, 204);
    problem(&api.get(&href).await, 404);
    problem(&api.get(&report_href).await, 404);
    assert_eq!(api.get("/nspm/v1/pm_jobs").await.body, json!([]));
}

#[tokio::test]
async fn bad_pm_jobs_and_thresholds_are_refused_naming_what_is_wrong() {
    let api = Api::start(&["a"]).await;
    let id = launched(&api).await;
    let (url, _) = callback().await;
    let job = |object_type: &str, ids: Value, criteria: Value| json!({"objectType": object_type, "objectInstanceIds": ids, "criteria": criteria, "callbackUri": url});
    let good = json!({"performanceMetric": ["VnfcInstances"], "collectionPeriod": 5, "reportingPeriod": 10});
    let cases = [
        (job("VNF", json!([id]), good.clone()), 400, "only NS instances"),
        (job("NS", json!(["nope"]), good.clone()), 400, "no NS instance nope"),
        (job("NS", json!([]), good.clone()), 400, "1 to 64"),
        (
            job(
                "NS",
                json!([id]),
                json!({"performanceMetric": ["CpuUsage"], "collectionPeriod": 5, "reportingPeriod": 10}),
            ),
            400,
            "no metric CpuUsage",
        ),
        (
            job("NS", json!([id]), json!({"collectionPeriod": 5, "reportingPeriod": 10})),
            400,
            "names no performanceMetric",
        ),
        (
            job(
                "NS",
                json!([id]),
                json!({"performanceMetricGroup": ["Cpu"], "collectionPeriod": 5, "reportingPeriod": 10}),
            ),
            400,
            "the one group is NsInstance",
        ),
        (
            job(
                "NS",
                json!([id]),
                json!({"performanceMetric": ["VnfcInstances"], "collectionPeriod": 5, "reportingPeriod": 7}),
            ),
            400,
            "not a multiple",
        ),
        (
            job(
                "NS",
                json!([id]),
                json!({"performanceMetric": ["VnfcInstances"], "collectionPeriod": 0, "reportingPeriod": 7}),
            ),
            400,
            "1 to 86400",
        ),
        (
            job(
                "NS",
                json!([id]),
                json!({"performanceMetric": ["VnfcInstances"], "collectionPeriod": 5, "reportingPeriod": 10, "reportingBoundary": "tomorrow"}),
            ),
            400,
            "not an RFC 3339",
        ),
    ];
    for (body, status, words) in cases {
        let answer = api.post_json("/nspm/v1/pm_jobs", &body).await;
        let detail = problem(&answer, status)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(words), "{body}: {detail}");
    }
    let dead = json!({"objectType": "NS", "objectInstanceIds": [id], "criteria": good, "callbackUri": "http://127.0.0.1:1/x"});
    problem(&api.post_json("/nspm/v1/pm_jobs", &dead).await, 422);
    let mut with_auth = job(
        "NS",
        json!([id]),
        json!({"performanceMetric": ["VnfcInstances"], "collectionPeriod": 5, "reportingPeriod": 10}),
    );
    with_auth["authentication"] = json!({"authType": ["BASIC"]});
    problem(&api.post_json("/nspm/v1/pm_jobs", &with_auth).await, 400);

    let threshold = |metric: &str, value: Value, hysteresis: Value| {
        json!({"objectType": "NS", "objectInstanceId": id, "callbackUri": url, "criteria": {
            "performanceMetric": metric, "thresholdType": "SIMPLE",
            "simpleThresholdDetails": {"thresholdValue": value, "hysteresis": hysteresis}}})
    };
    let refused = api.post_json("/nspm/v1/thresholds", &threshold("Cpu", json!(1), json!(0))).await;
    assert!(problem(&refused, 400)["detail"].as_str().unwrap().contains("no metric Cpu"));
    let refused = api
        .post_json("/nspm/v1/thresholds", &threshold("VnfcInstances", json!(1), json!(-1)))
        .await;
    assert!(problem(&refused, 400)["detail"].as_str().unwrap().contains("at least 0"));
    problem(&api.get("/nspm/v1/thresholds/nope").await, 404);
    problem(&api.get("/nspm/v1/pm_jobs/nope/reports/nope").await, 404);
    assert_eq!(api.get("/nspm/v1/pm_jobs").await.body, json!([]));
    assert_eq!(api.get("/nspm/v1/thresholds").await.body, json!([]));
}

#[tokio::test]
async fn a_threshold_notifies_each_crossing_once() {
    let api = Api::start(&["a"]).await;
    let _collecting = api.nfvo.collect_performance();
    let id = launched(&api).await;
    let (url, received) = callback().await;
    // Two VNFC instances now: below 2.5 until the client scales out.
    let request = json!({"objectType": "NS", "objectInstanceId": id, "callbackUri": url, "criteria": {
        "performanceMetric": "VnfcInstances", "thresholdType": "SIMPLE",
        "simpleThresholdDetails": {"thresholdValue": 2.5, "hysteresis": 0.25}}});
    let created = api.post_json("/nspm/v1/thresholds", &request).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let threshold = created.body["id"].as_str().unwrap().to_owned();
    let href = format!("/nspm/v1/thresholds/{threshold}");
    assert_eq!(created.location.as_deref(), Some(href.as_str()));
    assert_eq!(created.body["criteria"], request["criteria"]);
    assert_eq!(
        api.get(&href).await.body["_links"]["object"]["href"],
        format!("/nslcm/v1/ns_instances/{id}")
    );
    // The collector has seen the side it starts on before the scale.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(received.lock().unwrap().is_empty(), "a threshold not crossed notified");

    act(&api, &id, "scale", &scale("SCALE_OUT")).await;
    let up = wait_for(&received, 1).await.remove(0);
    assert_eq!(up["notificationType"], "ThresholdCrossedNotification");
    assert_eq!(
        (up["crossingDirection"].clone(), up["performanceValue"].clone()),
        (json!("UP"), json!(3.0))
    );
    assert_eq!(
        (up["thresholdId"].clone(), up["objectInstanceId"].clone()),
        (json!(threshold), json!(id))
    );
    assert_eq!(up["performanceMetric"], "VnfcInstances");
    assert_eq!(up["_links"]["threshold"]["href"], href.as_str());

    act(&api, &id, "scale", &scale("SCALE_IN")).await;
    let down = wait_for(&received, 2).await.remove(1);
    assert_eq!(
        (down["crossingDirection"].clone(), down["performanceValue"].clone()),
        (json!("DOWN"), json!(2.0))
    );
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(received.lock().unwrap().len(), 2, "a crossing notified twice");

    let listed =
        api.get_query("/nspm/v1/thresholds", &format!("filter=(eq,objectInstanceId,{id})")).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.body);
    assert_eq!(api.call("DELETE", &href, None, Vec::new()).await.status, 204);
    problem(&api.get(&href).await, 404);
}
