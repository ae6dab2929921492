//! A network service through the API: create, instantiate, scale, terminate, delete.

use std::collections::BTreeMap;

use archipel_nfvo::api::dto::{CreateNsRequest, InstantiateNsRequest, ScaleNsRequest, SiteRequest};
use serde_json::json;

use crate::harness::{problem, Api, SIPP};

async fn created(api: &Api) -> String {
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let request =
        CreateNsRequest { nsd_id: nsd.id, ns_name: Some("sipp".into()), ns_description: None };
    let ns = api.client.create_ns(&request).await.unwrap();
    assert_eq!((ns.status.as_str(), ns.ns_state.as_str()), ("NULL", "NOT_INSTANTIATED"));
    ns.id
}

#[tokio::test]
async fn launch_scale_terminate_delete() {
    let api = Api::start(&["a"]).await;
    let id = created(&api).await;

    let answer =
        api.post_json(&format!("/nslcm/v1/ns_instances/{id}/instantiate"), &json!({})).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let op_id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.location, Some(format!("/nslcm/v1/ns_lcm_op_occs/{op_id}")));
    assert_eq!(answer.body["lcmOperationType"], "INSTANTIATE");
    let mut steps = Vec::new();
    let op = api
        .client
        .wait(&op_id, |op| {
            if let Some(step) = &op.current_step {
                steps.push(step.clone());
            }
        })
        .await
        .unwrap();
    assert_eq!(op.operation_state, "COMPLETED", "{op:?}");
    assert_eq!(op.operation_params, json!({"placement": {"sipp-client": "a", "sipp-server": "a"}}));
    assert!(!steps.is_empty());

    let ns = api.client.ns_instance(&id).await.unwrap();
    assert_eq!((ns.status.as_str(), ns.ns_state.as_str()), ("ACTIVE", "INSTANTIATED"));
    let server =
        &ns.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-server").unwrap().vnfc_instances[0];
    let client = ns.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-client").unwrap();
    assert_eq!(client.vnfc_instances[0].metadata["SERVER_PRIVATE"], server.addresses["private"]);
    assert_eq!(client.vim_id, "a");
    assert_eq!(ns.virtual_link_info.len(), 1);

    let scale = ScaleNsRequest {
        vnf_name: Some("sipp-client".into()),
        number_of_instances: Some(3),
        ..Default::default()
    };
    let op = api.client.scale(&id, &scale).await.unwrap();
    let op = api.client.wait(&op.id, |_| {}).await.unwrap();
    assert_eq!(op.operation_state, "COMPLETED", "{op:?}");
    let ns = api.client.ns_instance(&id).await.unwrap();
    let client = ns.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-client").unwrap();
    assert_eq!(client.vnfc_instances.len(), 3);
    assert_eq!(api.fake.containers("a").len(), 4);

    let too_many = ScaleNsRequest {
        vnf_name: Some("sipp-client".into()),
        number_of_instances: Some(6),
        ..Default::default()
    };
    let err = api.client.scale(&id, &too_many).await.unwrap_err();
    assert_eq!(err.problem().unwrap().status, 400);

    // Busy or instantiated: no second instantiate, no delete.
    let again =
        api.post_json(&format!("/nslcm/v1/ns_instances/{id}/instantiate"), &json!({})).await;
    problem(&again, 409);
    let delete =
        api.call("DELETE", &format!("/nslcm/v1/ns_instances/{id}"), None, Vec::new()).await;
    problem(&delete, 409);

    // Terminate takes no body at all.
    let answer =
        api.call("POST", &format!("/nslcm/v1/ns_instances/{id}/terminate"), None, Vec::new()).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let op = api.client.wait(answer.body["id"].as_str().unwrap(), |_| {}).await.unwrap();
    assert_eq!(op.operation_state, "COMPLETED", "{op:?}");
    assert!(api.fake.is_empty());
    let ns = api.client.ns_instance(&id).await.unwrap();
    assert_eq!((ns.status.as_str(), ns.ns_state.as_str()), ("TERMINATED", "NOT_INSTANTIATED"));

    let ops = api.client.op_occs().await.unwrap();
    let kinds: Vec<&str> = ops.iter().map(|op| op.lcm_operation_type.as_str()).collect();
    assert_eq!(kinds, ["INSTANTIATE", "SCALE", "TERMINATE"]);

    api.client.delete_ns(&id).await.unwrap();
    problem(&api.get(&format!("/nslcm/v1/ns_instances/{id}")).await, 404);
    assert!(api.client.ns_instances().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_launch_is_failed_with_its_reason() {
    let api = Api::start(&["a"]).await;
    api.fake.fail_when(|call| {
        matches!(call, archipel_nfvo::vim::FakeCall::CreateContainer { name, .. } if name.starts_with("sipp-server"))
    });
    let id = created(&api).await;
    let op = api.client.instantiate(&id, &InstantiateNsRequest::default()).await.unwrap();
    let op = api.client.wait(&op.id, |_| {}).await.unwrap();
    assert_eq!(op.operation_state, "FAILED");
    let failure = op.failure.unwrap();
    assert_eq!(failure.step, "allocate");
    assert!(failure.reason.contains("injected failure"), "{failure:?}");
    assert!(op.error.unwrap().detail.contains("step allocate"));
    let ns = api.client.ns_instance(&id).await.unwrap();
    assert_eq!(ns.status, "ERROR");
    assert_eq!(ns.error.unwrap().step, "allocate");
    assert!(api.fake.is_empty());
}

#[tokio::test]
async fn placement_errors_answer_before_anything_starts() {
    let api = Api::start(&["a", "b"]).await;
    let id = created(&api).await;
    let unplaced =
        api.post_json(&format!("/nslcm/v1/ns_instances/{id}/instantiate"), &json!({})).await;
    problem(&unplaced, 422);
    let placement = BTreeMap::from([("nope".into(), "a".into())]);
    let request = InstantiateNsRequest { placement, ..Default::default() };
    let err = api.client.instantiate(&id, &request).await.unwrap_err();
    assert_eq!(err.problem().unwrap().status, 400);
    let unknown = api
        .post_json(&format!("/nslcm/v1/ns_instances/{id}/instantiate"), &json!({"placment": {}}))
        .await;
    assert_eq!(problem(&unknown, 400)["path"], "placment");
    assert!(api.client.op_occs().await.unwrap().is_empty());
}

#[tokio::test]
async fn sites_are_checked_listed_and_removed() {
    let api = Api::start(&["a"]).await;
    let sites = api.client.sites().await.unwrap();
    assert_eq!(sites.len(), 1);
    assert!(sites[0].reachable);
    assert_eq!(sites[0].pop_type.as_deref(), Some("fake"));
    let listed = api.get("/sites").await;
    assert!(listed.body[0].get("password").is_none(), "{}", listed.body);

    api.fake.make_unreachable("b");
    let request = SiteRequest {
        name: "b".into(),
        pop_endpoint: "http://b.invalid:1".into(),
        username: "admin".into(),
        password: "pw".into(),
        agent_endpoint: None,
        agent_token: None,
    };
    let err = api.client.add_site(&request).await.unwrap_err();
    assert_eq!(err.problem().unwrap().status, 422);
    // Credentials in an endpoint are refused, and never echoed.
    for endpoint in ["http://u:s3cr3t-pw@b.invalid:1", "http://u:s3cr3t-pw@"] {
        let with_user = SiteRequest { pop_endpoint: endpoint.into(), ..request.clone() };
        let err = api.client.add_site(&with_user).await.unwrap_err();
        let problem = err.problem().unwrap();
        assert_eq!(problem.status, 400, "{problem:?}");
        assert!(!format!("{problem:?} {err}").contains("s3cr3t"), "{problem:?}");
    }
    api.fake.heal();
    let added = api.client.add_site(&request).await.unwrap();
    assert!(added.reachable);
    let dup = api.client.add_site(&request).await.unwrap_err();
    assert_eq!(dup.problem().unwrap().status, 409);

    api.fake.make_unreachable("b");
    let b = api.client.site("b").await.unwrap();
    assert!(!b.reachable);
    assert!(b.unreachable_reason.unwrap().contains("cannot connect"));

    let bad = api
        .post_json(
            "/sites",
            &json!({"name": "c d", "popEndpoint": "http://x:1", "username": "u", "password": "p"}),
        )
        .await;
    problem(&bad, 400);
    let bad = api
        .post_json(
            "/sites",
            &json!({"name": "c", "popEndpoint": "nope", "username": "u", "password": "p"}),
        )
        .await;
    problem(&bad, 400);

    api.client.remove_site("b").await.unwrap();
    problem(&api.call("DELETE", "/sites/b", None, Vec::new()).await, 404);
}
