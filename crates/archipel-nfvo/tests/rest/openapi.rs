//! The OpenAPI document: served, OpenAPI 3, and naming every route the router serves.

use serde_json::Value;

use crate::harness::Api;

#[tokio::test]
async fn the_document_is_served_and_complete() {
    let api = Api::start(&[]).await;
    let doc = api.client.openapi().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Archipel NFVO");
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/nsd/v1/ns_descriptors", &["get", "post"][..]),
        ("/nsd/v1/ns_descriptors/{id}", &["get", "patch", "delete"]),
        ("/nsd/v1/ns_descriptors/{id}/nsd_content", &["get", "put"]),
        ("/nsd/v1/subscriptions", &["get", "post"]),
        ("/nsd/v1/subscriptions/{id}", &["get", "delete"]),
        ("/nslcm/v1/ns_instances", &["get", "post"]),
        ("/nslcm/v1/ns_instances/{id}", &["get", "delete"]),
        ("/nslcm/v1/ns_instances/{id}/instantiate", &["post"]),
        ("/nslcm/v1/ns_instances/{id}/scale", &["post"]),
        ("/nslcm/v1/ns_instances/{id}/heal", &["post"]),
        ("/nslcm/v1/ns_instances/{id}/terminate", &["post"]),
        ("/nslcm/v1/ns_instances/{id}/update", &["post"]),
        ("/nsfm/v1/alarms", &["get"]),
        ("/nsfm/v1/alarms/{id}", &["get", "patch"]),
        ("/nsfm/v1/subscriptions", &["get", "post"]),
        ("/nsfm/v1/subscriptions/{id}", &["get", "delete"]),
        ("/nspm/v1/pm_jobs", &["get", "post"]),
        ("/nspm/v1/pm_jobs/{id}", &["get", "patch", "delete"]),
        ("/nspm/v1/pm_jobs/{id}/reports/{reportId}", &["get"]),
        ("/nspm/v1/thresholds", &["get", "post"]),
        ("/nspm/v1/thresholds/{id}", &["get", "patch", "delete"]),
        ("/nslcm/v1/ns_lcm_op_occs", &["get"]),
        ("/nslcm/v1/ns_lcm_op_occs/{id}", &["get"]),
        ("/nslcm/v1/ns_lcm_op_occs/{id}/cancel", &["post"]),
        ("/nslcm/v1/ns_lcm_op_occs/{id}/retry", &["post"]),
        ("/nslcm/v1/ns_lcm_op_occs/{id}/rollback", &["post"]),
        ("/nslcm/v1/ns_lcm_op_occs/{id}/continue", &["post"]),
        ("/nslcm/v1/ns_lcm_op_occs/{id}/fail", &["post"]),
        ("/nslcm/v1/subscriptions", &["get", "post"]),
        ("/nslcm/v1/subscriptions/{id}", &["get", "delete"]),
        ("/archipel/v1/events", &["get"]),
        ("/vnfpkgm/v1/vnf_packages", &["get", "post"]),
        ("/nsd/v1/api_versions", &["get"]),
        ("/nsd/api_versions", &["get"]),
        ("/nslcm/v1/api_versions", &["get"]),
        ("/nslcm/api_versions", &["get"]),
        ("/nsfm/v1/api_versions", &["get"]),
        ("/nsfm/api_versions", &["get"]),
        ("/nspm/v1/api_versions", &["get"]),
        ("/nspm/api_versions", &["get"]),
        ("/vnfpkgm/v1/api_versions", &["get"]),
        ("/vnfpkgm/api_versions", &["get"]),
        ("/vnfpkgm/v1/vnf_packages/{id}", &["delete", "get", "patch"]),
        ("/vnfpkgm/v1/vnf_packages/{id}/package_content", &["get", "put"]),
        ("/vnfpkgm/v1/vnf_packages/{id}/vnfd", &["get"]),
        ("/vnfpkgm/v1/subscriptions", &["get", "post"]),
        ("/vnfpkgm/v1/subscriptions/{id}", &["get", "delete"]),
        ("/vnfpkgm/v1/vnf_packages/{id}/artifacts/{artifactPath}", &["get"]),
        ("/sites", &["get", "post"]),
        ("/sites/{name}", &["get", "delete"]),
        ("/health", &["get"]),
        ("/metrics", &["get"]),
        ("/auth/v1/login", &["post"]),
        ("/auth/v1/logout", &["post"]),
        ("/auth/v1/users", &["get", "post"]),
        ("/auth/v1/users/{name}", &["delete"]),
        ("/auth/v1/api_keys", &["get", "post"]),
        ("/auth/v1/api_keys/{id}", &["delete"]),
    ];
    assert_eq!(paths.len(), expected.len());
    for (path, methods) in expected {
        let item = paths.get(path).unwrap_or_else(|| panic!("{path} missing"));
        let mut have: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
        have.sort();
        let mut want = methods.to_vec();
        want.sort();
        assert_eq!(have, want, "{path}");
    }
    every_ref_resolves(&doc, &doc);
    security_is_declared(&doc);
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().expect("an operationId"))
        .collect();
    ids.sort();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count, "operationIds are unique");
}

/// The bearer scheme is declared and required everywhere; the login and the health check opt
/// out; every other operation documents the 401 the guard answers.
fn security_is_declared(doc: &Value) {
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");
    assert_eq!(doc["security"], serde_json::json!([{"bearer": []}]));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let public = matches!(path.as_str(), "/health" | "/auth/v1/login");
            if public {
                assert_eq!(op["security"], serde_json::json!([{}]), "{method} {path}");
            } else {
                assert!(op["responses"].get("401").is_some(), "{method} {path} lacks its 401");
            }
        }
    }
}

/// Every `$ref` names a component the document holds.
fn every_ref_resolves(doc: &Value, at: &Value) {
    match at {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let pointer = reference.strip_prefix('#').expect("a local reference");
                assert!(doc.pointer(pointer).is_some(), "{reference} does not resolve");
            }
            map.values().for_each(|v| every_ref_resolves(doc, v));
        }
        Value::Array(items) => items.iter().for_each(|v| every_ref_resolves(doc, v)),
        _ => {}
    }
}
