//! The OpenAPI document the real daemon serves.

use serde_json::Value;

use crate::harness::World;

#[test]
fn the_daemon_serves_an_openapi_3_document_with_the_sol005_paths() {
    let world = World::new(&[]);
    let (status, body) = world.http("GET", "/openapi.json", b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let doc: Value = serde_json::from_slice(&body).expect("the document is JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/nsd/v1/ns_descriptors", "post"),
        ("/nsd/v1/ns_descriptors/{id}", "get"),
        ("/nsd/v1/ns_descriptors/{id}/nsd_content", "get"),
        ("/nslcm/v1/ns_instances", "post"),
        ("/nslcm/v1/ns_instances/{id}", "delete"),
        ("/nslcm/v1/ns_instances/{id}/instantiate", "post"),
        ("/nslcm/v1/ns_instances/{id}/scale", "post"),
        ("/nslcm/v1/ns_instances/{id}/terminate", "post"),
        ("/nslcm/v1/ns_lcm_op_occs", "get"),
        ("/nslcm/v1/ns_lcm_op_occs/{id}", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path}");
    }
}
