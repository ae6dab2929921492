//! SOL005's task resources on operation occurrences (issue 16): a PROCESSING operation is
//! cancelled and undone; retry, rollback, continue and fail are refused, saying why.

use std::time::Duration;

use archipel_nfvo::vim::FakeCall;
use serde_json::json;

use crate::harness::{problem, Api, SIPP};

/// An instantiate held at its first container's start, and its operation's id.
async fn held_instantiate(api: &Api) -> (archipel_nfvo::vim::Hold, String, String) {
    let hold = api.fake.hold_when(|call| matches!(call, FakeCall::Start { .. }));
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let ns = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": nsd.id})).await;
    let ns = ns.body["id"].as_str().unwrap().to_owned();
    let answer =
        api.post_json(&format!("/nslcm/v1/ns_instances/{ns}/instantiate"), &json!({})).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let op = answer.body["id"].as_str().unwrap().to_owned();
    while hold.waiting() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (hold, ns, op)
}

#[tokio::test]
async fn a_processing_operation_is_cancelled_and_undone() {
    let api = Api::start(&["a"]).await;
    let (hold, ns, op) = held_instantiate(&api).await;
    let path = format!("/nslcm/v1/ns_lcm_op_occs/{op}");
    let processing = api.get(&path).await.body;
    assert_eq!(processing["operationState"], "PROCESSING");
    assert_eq!(processing["_links"]["cancel"]["href"], format!("{path}/cancel"));

    problem(&api.post_json(&format!("{path}/cancel"), &json!({})).await, 400);
    let mode = json!({"cancelMode": "GRACEFUL"});
    let answer = api.post_json(&format!("{path}/cancel"), &mode).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(api.get(&path).await.body["isCancelPending"], true);

    hold.release();
    let ended = api.client.wait(&op, |_| {}).await.unwrap();
    assert_eq!(ended.operation_state, "ROLLED_BACK", "{ended:?}");
    assert!(!ended.is_cancel_pending);
    let reason = ended.failure.unwrap().reason;
    assert!(reason.contains("cancelled by an operator"), "{reason}");
    assert!(api.fake.is_empty(), "a cancelled instantiate leaves nothing at the sites");
    assert_eq!(api.client.ns_instance(&ns).await.unwrap().status, "ERROR");

    // Ended, it is cancelled no more.
    let again = api.post_json(&format!("{path}/cancel"), &mode).await;
    assert!(problem(&again, 409)["detail"].as_str().unwrap().contains("ROLLED_BACK"));
}

#[tokio::test]
async fn tasks_that_need_failed_temp_are_refused_saying_why() {
    let api = Api::start(&["a"]).await;
    let (hold, _, op) = held_instantiate(&api).await;
    hold.release();
    api.client.wait(&op, |_| {}).await.unwrap();
    for task in ["retry", "rollback", "continue", "fail"] {
        let answer =
            api.post_json(&format!("/nslcm/v1/ns_lcm_op_occs/{op}/{task}"), &json!({})).await;
        let detail = problem(&answer, 409)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(task) && detail.contains("FAILED_TEMP"), "{task}: {detail}");
        let unknown = format!("/nslcm/v1/ns_lcm_op_occs/nope/{task}");
        problem(&api.post_json(&unknown, &json!({})).await, 404);
    }
    let get = api.call("GET", &format!("/nslcm/v1/ns_lcm_op_occs/{op}/retry"), None, vec![]).await;
    problem(&get, 405);
}
