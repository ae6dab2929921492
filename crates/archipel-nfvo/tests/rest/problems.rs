//! Every error is problem details: unknown resources and routes, wrong methods, bodies too
//! large, of the wrong type or malformed.

use serde_json::json;

use crate::harness::{problem, Api};

#[tokio::test]
async fn unknown_ids_are_404() {
    let api = Api::start(&[]).await;
    for path in [
        "/nsd/v1/ns_descriptors/nope",
        "/nsd/v1/ns_descriptors/nope/nsd_content",
        "/nslcm/v1/ns_instances/nope",
        "/nslcm/v1/ns_lcm_op_occs/nope",
        "/sites/nope",
        "/no/such/route",
    ] {
        problem(&api.get(path).await, 404);
    }
    for path in ["/nslcm/v1/ns_instances/nope/instantiate", "/nslcm/v1/ns_instances/nope/terminate"]
    {
        problem(&api.post_json(path, &json!({})).await, 404);
    }
    let scale = json!({"vnfName": "x", "numberOfInstances": 1});
    problem(&api.post_json("/nslcm/v1/ns_instances/nope/scale", &scale).await, 404);
    for path in ["/nsd/v1/ns_descriptors/nope", "/nslcm/v1/ns_instances/nope", "/sites/nope"] {
        problem(&api.call("DELETE", path, None, Vec::new()).await, 404);
    }
    let create = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": "nope"})).await;
    problem(&create, 404);
}

#[tokio::test]
async fn wrong_methods_are_405() {
    let api = Api::start(&[]).await;
    problem(&api.call("PUT", "/sites", None, Vec::new()).await, 405);
    problem(&api.call("GET", "/nslcm/v1/ns_instances/x/scale", None, Vec::new()).await, 405);
}

#[tokio::test]
async fn bodies_have_limits_and_a_type() {
    let api = Api::start(&[]).await;
    let huge = vec![b' '; archipel_nfvo::api::NSD_LIMIT + 1];
    let answer = api.call("POST", "/nsd/v1/ns_descriptors", Some("application/json"), huge).await;
    problem(&answer, 413);
    let big = format!("{{\"nsdId\": \"{}\"}}", "x".repeat(archipel_nfvo::api::BODY_LIMIT));
    let answer = api
        .call("POST", "/nslcm/v1/ns_instances", Some("application/json"), big.into_bytes())
        .await;
    problem(&answer, 413);

    // A placement is as large as the NSD it places: over the other bodies' limit it is read,
    // and refused for what it says (no such NS), not for its size.
    let placement: serde_json::Map<String, serde_json::Value> =
        (0..400).map(|i| (format!("vnf-{i:04}-{}", "v".repeat(40)), json!("site-a"))).collect();
    let body = serde_json::to_vec(&json!({"placement": placement})).unwrap();
    assert!(body.len() > archipel_nfvo::api::BODY_LIMIT);
    let instantiate = "/nslcm/v1/ns_instances/nope/instantiate";
    problem(&api.call("POST", instantiate, Some("application/json"), body).await, 404);
    let huge = vec![b' '; archipel_nfvo::api::NSD_LIMIT + 1];
    problem(&api.call("POST", instantiate, Some("application/json"), huge).await, 413);

    let answer =
        api.call("POST", "/nsd/v1/ns_descriptors", Some("text/plain"), b"{}".to_vec()).await;
    problem(&answer, 415);
    let answer =
        api.call("POST", "/nslcm/v1/ns_instances", None, b"{\"nsdId\": \"x\"}".to_vec()).await;
    problem(&answer, 415);
}

#[tokio::test]
async fn malformed_bodies_name_the_place() {
    let api = Api::start(&[]).await;
    let answer = api
        .post_json(
            "/nslcm/v1/ns_instances/x/scale",
            &json!({"vnfName": "a", "numberOfInstances": -1}),
        )
        .await;
    let body = problem(&answer, 400);
    assert_eq!(body["path"], "numberOfInstances");
    let answer =
        api.call("POST", "/sites", Some("application/json"), b"{\"name\": ".to_vec()).await;
    problem(&answer, 400);
    let answer = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": 3})).await;
    assert_eq!(problem(&answer, 400)["path"], "nsdId");
    let answer = api
        .post_json(
            "/nslcm/v1/ns_instances/x/scale",
            &json!({"vnfName": "a", "numberOfInstances": 2.5}),
        )
        .await;
    assert_eq!(problem(&answer, 400)["path"], "numberOfInstances");
    // A whole number written as a float is a number of instances (here of an unknown NS).
    let answer = api
        .post_json(
            "/nslcm/v1/ns_instances/x/scale",
            &json!({"vnfName": "a", "numberOfInstances": 2.0}),
        )
        .await;
    problem(&answer, 404);
    let answer = api
        .call(
            "POST",
            "/nslcm/v1/ns_instances/x/terminate",
            Some("application/json"),
            b"null".to_vec(),
        )
        .await;
    problem(&answer, 404);
}

#[tokio::test]
async fn bodies_that_are_not_objects_are_refused() {
    let api = Api::start(&[]).await;
    // serde would read `[]` as a struct whose fields are all optional: a package made from an
    // array was the fuzzer's finding.
    for body in ["[]", "[null]", "3", "\"x\""] {
        let answer = api
            .call("POST", "/vnfpkgm/v1/vnf_packages", Some("application/json"), body.into())
            .await;
        let detail = problem(&answer, 400)["detail"].clone();
        assert!(detail.as_str().unwrap().contains("expected a JSON object"), "{body}: {detail}");
    }
    let answer = api.get("/vnfpkgm/v1/vnf_packages").await;
    assert_eq!(answer.body, json!([]), "nothing was made");
}
