//! SOL005 as its clients write it (issue 16): the standard request bodies of instantiate,
//! scale, update and terminate; the fields SOL005 requires on NsInstance and NsLcmOpOcc; SOL013's API
//! versions and `Version` header; 405 with `Allow`.

use serde_json::{json, Value};

use crate::harness::{problem, Answer, Api, SIPP};

async fn created(api: &Api) -> String {
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    let answer = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": nsd.id})).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

/// Posts an action, expects 202, waits for the operation; returns it.
pub async fn act(api: &Api, id: &str, action: &str, body: &Value) -> Value {
    let answer = api.post_json(&format!("/nslcm/v1/ns_instances/{id}/{action}"), body).await;
    assert_eq!(answer.status, 202, "{action} {body}: {}", answer.body);
    let op = answer.body["id"].as_str().unwrap().to_owned();
    let done = api.client.wait(&op, |_| {}).await.unwrap();
    assert_eq!(done.operation_state, "COMPLETED", "{done:?}");
    api.get(&format!("/nslcm/v1/ns_lcm_op_occs/{op}")).await.body
}

async fn clients(api: &Api, id: &str) -> usize {
    let ns = api.get(&format!("/nslcm/v1/ns_instances/{id}")).await.body;
    let vnfs = ns["vnfInstance"].as_array().unwrap();
    let client = vnfs.iter().find(|v| v["id"] == "sipp-client").unwrap();
    client["vnfcInstances"].as_array().unwrap().len()
}

fn refused(answer: &Answer, words: &str) {
    let body = problem(answer, 400);
    assert!(body["detail"].as_str().unwrap().contains(words), "{words}: {body}");
}

#[tokio::test]
async fn instantiate_scale_update_and_terminate_take_sol005_bodies() {
    let api = Api::start(&["a", "b"]).await;
    let id = created(&api).await;
    let path = |action: &str| format!("/nslcm/v1/ns_instances/{id}/{action}");

    // Placement twice is refused; in additionalParamsForNs it is taken.
    let twice = json!({"nsFlavourId": "df", "placement": {"sipp-server": "a"},
                       "additionalParamsForNs": {"placement": {"sipp-client": "a"}}});
    refused(&api.post_json(&path("instantiate"), &twice).await, "placement is given twice");
    let located = json!({"nsFlavourId": "df", "locationConstraints": [{"vnfProfileId": "x"}]});
    refused(
        &api.post_json(&path("instantiate"), &located).await,
        "locationConstraints is not supported",
    );
    let later = json!({"nsFlavourId": "df", "startTime": "2999-01-01T00:00:00Z"});
    refused(&api.post_json(&path("instantiate"), &later).await, "omit startTime");
    // SOL005's other lists, empty as clients' templates send them, are taken.
    let body = json!({"nsFlavourId": "default", "nsInstantiationLevelId": "l1",
                      "sapData": [], "addpnfData": [], "vnfInstanceData": [], "nestedNsInstanceData": [],
                      "locationConstraints": [], "additionalParamForNestedNs": [],
                      "additionalParamsForVnf": [], "startTime": "2020-01-01T00:00:00Z",
                      "additionalParamsForNs": {"placement": {"sipp-server": "b", "sipp-client": "b"}}});
    let op = act(&api, &id, "instantiate", &body).await;
    assert_eq!(op["operationParams"]["placement"], json!({"sipp-client": "b", "sipp-server": "b"}));
    // NsLcmOpOcc's SOL005 fields.
    for field in ["statusEnteredTime", "startTime", "operationState", "nsInstanceId"] {
        assert!(op[field].is_string(), "{field} in {op}");
    }
    assert_eq!(
        (op["isCancelPending"].clone(), op["isAutomaticInvocation"].clone()),
        (json!(false), json!(false))
    );

    // NsInstance's SOL005 fields.
    let ns = api.get(&format!("/nslcm/v1/ns_instances/{id}")).await.body;
    assert_eq!(ns["nsdInfoId"], ns["nsdId"]);
    assert_eq!(ns["nsState"], "INSTANTIATED");
    let vnf = &ns["vnfInstance"][0];
    for field in
        ["id", "vnfdId", "vnfProvider", "vnfProductName", "vnfSoftwareVersion", "vnfdVersion"]
    {
        assert!(vnf[field].is_string(), "{field} in {vnf}");
    }
    assert_eq!(vnf["instantiationState"], "INSTANTIATED");
    let client =
        ns["vnfInstance"].as_array().unwrap().iter().find(|v| v["id"] == "sipp-client").unwrap();
    assert_eq!(
        (client["vnfProvider"].clone(), client["vnfdVersion"].clone()),
        (json!("mcilloni"), json!("1.0"))
    );
    let link = &ns["virtualLinkInfo"][0];
    assert_eq!(link["nsVirtualLinkDescId"], "private");
    assert_eq!(link["nsVirtualLinkProfileId"], "private");
    assert!(link["id"].as_str().unwrap().starts_with("private@"), "{link}");

    // Scale as SOL005 writes it: SCALE_OUT by steps, SCALE_IN.
    let scale = |kind: &str, steps: u32| {
        json!({"scaleType": "SCALE_VNF", "scaleVnfData": [{"vnfInstanceId": "sipp-client",
               "scaleVnfType": kind, "scaleByStepData": {"aspectId": "a", "numberOfSteps": steps}}]})
    };
    act(&api, &id, "scale", &scale("SCALE_OUT", 2)).await;
    assert_eq!(clients(&api, &id).await, 3);
    act(&api, &id, "scale", &scale("SCALE_IN", 1)).await;
    assert_eq!(clients(&api, &id).await, 2);
    for (body, words) in [
        (json!({"scaleType": "SCALE_NS"}), "scaleType SCALE_NS is not supported"),
        (json!({"scaleType": "SCALE_VNF", "scaleVnfData": []}), "exactly one entry"),
        (
            json!({"scaleType": "SCALE_VNF", "vnfName": "sipp-client", "scaleVnfData": []}),
            "not both",
        ),
        (
            json!({"scaleType": "SCALE_VNF", "scaleVnfData": [{"vnfInstanceId": "sipp-client",
                "scaleVnfType": "SCALE_TO_INSTANTIATION_LEVEL"}]}),
            "use SCALE_OUT or SCALE_IN",
        ),
        (
            json!({"vnfName": "sipp-client", "numberOfInstances": 2, "scaleTime": "2999-01-01T00:00:00Z"}),
            "scheduled scale",
        ),
    ] {
        refused(&api.post_json(&path("scale"), &body).await, words);
    }

    // Update as SOL005 writes it: a VNF's information, here its configuration.
    let update = |vnf: &str| {
        json!({"updateType": "MODIFY_VNF_INFORMATION",
               "modifyVnfInfoData": [{"vnfInstanceId": vnf, "metadata": {"SIPP_RATE": "5"}}]})
    };
    let op = act(&api, &id, "update", &update("sipp-server")).await;
    assert_eq!(op["lcmOperationType"], "UPDATE");
    assert_eq!(op["operationParams"]["modifyVnfInfoData"][0]["metadata"]["SIPP_RATE"], "5");
    let ns = api.get(&format!("/nslcm/v1/ns_instances/{id}")).await.body;
    assert_eq!(ns["nsState"], "INSTANTIATED");
    let two = json!({"updateType": "MODIFY_VNF_INFORMATION", "modifyVnfInfoData": [
        {"vnfInstanceId": "sipp-server", "metadata": {}}, {"vnfInstanceId": "sipp-client", "metadata": {}}]});
    for (body, words) in [
        (json!({"updateType": "ADD_VNF"}), "MODIFY_VNF_INFORMATION"),
        (two, "one VNF per update"),
        (update("nope"), "has no VNF nope"),
        (
            json!({"updateType": "MODIFY_VNF_INFORMATION", "modifyVnfInfoData": [],
                "updateTime": "2999-01-01T00:00:00Z"}),
            "updateTime",
        ),
    ] {
        refused(&api.post_json(&path("update"), &body).await, words);
    }

    // Terminate: a time in the future is refused, one past is now.
    let future = json!({"terminationTime": "2999-01-01T00:00:00Z"});
    refused(&api.post_json(&path("terminate"), &future).await, "scheduled termination");
    refused(
        &api.post_json(&path("terminate"), &json!({"terminationTime": "soon"})).await,
        "RFC 3339",
    );
    act(&api, &id, "terminate", &json!({"terminationTime": "2020-01-01T00:00:00Z"})).await;
    assert!(api.fake.is_empty());
}

#[tokio::test]
async fn every_sol005_api_tells_its_versions_and_answers_with_one() {
    let api = Api::start(&[]).await;
    for prefix in ["nsd", "nslcm", "nsfm", "nspm", "vnfpkgm"] {
        for path in [format!("/{prefix}/v1/api_versions"), format!("/{prefix}/api_versions")] {
            let answer = api.get(&path).await;
            assert_eq!(answer.status, 200, "{path}");
            assert_eq!(answer.body["uriPrefix"], format!("/{prefix}/v1"));
            let version = answer.body["apiVersions"][0]["version"].as_str().unwrap().to_owned();
            assert_eq!(answer.headers["version"].to_str().unwrap(), version);
        }
    }
    // Every answer under an API carries the header, errors too; others do not.
    assert!(api.get("/nslcm/v1/ns_instances").await.headers.contains_key("version"));
    assert!(api.get("/nslcm/v1/ns_instances/nope").await.headers.contains_key("version"));
    assert!(!api.get("/sites").await.headers.contains_key("version"));
}

#[tokio::test]
async fn a_method_a_resource_does_not_take_is_405_with_allow() {
    let api = Api::start(&[]).await;
    for (method, path, allowed) in [
        ("DELETE", "/nslcm/v1/ns_lcm_op_occs", "GET"),
        ("PUT", "/nslcm/v1/ns_instances", "GET,POST"),
        ("PUT", "/nsd/v1/ns_descriptors/x", "GET,PATCH,DELETE"),
        ("POST", "/vnfpkgm/v1/api_versions", "GET"),
    ] {
        let answer = api.call(method, path, None, Vec::new()).await;
        problem(&answer, 405);
        let allow = answer.headers.get("allow").map(|v| v.to_str().unwrap().replace(' ', ""));
        let allow = allow.unwrap_or_else(|| panic!("{method} {path}: no Allow header"));
        let mut got: Vec<&str> = allow.split(',').filter(|m| *m != "HEAD").collect();
        got.sort_unstable();
        let mut want: Vec<&str> = allowed.split(',').collect();
        want.sort_unstable();
        assert_eq!(got, want, "{method} {path}");
    }
}
