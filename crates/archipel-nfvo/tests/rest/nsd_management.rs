//! SOL005's NSD management (issue 16): an NsdInfo made first, its document uploaded after (JSON
//! or a zip), read back whole, by range or zipped; the operational state changed by PATCH
//! against an ETag; deletion only of a disabled NSD that nothing uses.

use std::io::{Cursor, Read, Write};

use serde_json::{json, Value};

use crate::harness::{problem, Answer, Api, SIPP};

const MERGE_PATCH: &str = "application/merge-patch+json";

fn nsd_path(id: &str) -> String {
    format!("/nsd/v1/ns_descriptors/{id}")
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in files {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

async fn patch(api: &Api, id: &str, if_match: Option<&str>, body: &Value) -> Answer {
    let mut headers = vec![("content-type", MERGE_PATCH)];
    headers.extend(if_match.map(|tag| ("if-match", tag)));
    api.call_with("PATCH", &nsd_path(id), &headers, serde_json::to_vec(body).unwrap()).await
}

#[tokio::test]
async fn an_nsd_is_made_first_then_given_its_document() {
    let api = Api::start(&[]).await;
    let nothing = api.call("POST", "/nsd/v1/ns_descriptors", Some("application/json"), vec![]);
    assert!(problem(&nothing.await, 400)["detail"].as_str().unwrap().contains("{}"));
    let made = api
        .post_json("/nsd/v1/ns_descriptors", &json!({"userDefinedData": {"owner": "ops"}}))
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    assert_eq!(made.location.as_deref(), Some(nsd_path(&id).as_str()));
    assert!(made.headers.contains_key("etag"));
    assert_eq!(made.body["nsdOnboardingState"], "CREATED");
    assert_eq!(made.body["nsdOperationalState"], "DISABLED");
    assert_eq!(made.body["nsdUsageState"], "NOT_IN_USE");
    assert_eq!(made.body["userDefinedData"], json!({"owner": "ops"}));
    assert!(made.body.get("nsdName").is_none(), "no document, no name: {}", made.body);
    assert_eq!(
        made.body["_links"]["nsd_content"]["href"],
        format!("{}/nsd_content", nsd_path(&id))
    );

    // Without its document it has no content and makes no network service.
    let content = format!("{}/nsd_content", nsd_path(&id));
    problem(&api.get(&content).await, 409);
    let ns = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": id})).await;
    problem(&ns, 409);

    // A document of the wrong type, or a wrong document, changes nothing.
    problem(&api.call("PUT", &content, Some("text/plain"), SIPP.to_vec()).await, 415);
    let wrong = api.call("PUT", &content, Some("application/json"), b"{\"name\": 3}".to_vec());
    assert_eq!(problem(&wrong.await, 400)["path"], "name");
    assert_eq!(api.get(&nsd_path(&id)).await.body["nsdOnboardingState"], "CREATED");

    let uploaded = api.call("PUT", &content, Some("application/json"), SIPP.to_vec()).await;
    assert_eq!(uploaded.status, 204, "{}", uploaded.body);
    let info = api.get(&nsd_path(&id)).await.body;
    assert_eq!(info["nsdOnboardingState"], "ONBOARDED");
    assert_eq!(info["nsdOperationalState"], "ENABLED");
    assert_eq!(info["nsdName"], "docker-test-NS-sipp");
    assert_eq!(info["userDefinedData"], json!({"owner": "ops"}));
    problem(&api.call("PUT", &content, Some("application/json"), SIPP.to_vec()).await, 409);
    let ns = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": id})).await;
    assert_eq!(ns.status, 201, "{}", ns.body);
}

#[tokio::test]
async fn a_document_is_read_back_whole_by_range_or_zipped() {
    let api = Api::start(&[]).await;
    let id = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap().id;
    let content = format!("{}/nsd_content", nsd_path(&id));
    let len = SIPP.len();

    let (status, headers, body) = api.raw("GET", &content, &[], vec![]).await;
    assert_eq!((status, body.as_slice()), (200, SIPP));
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["accept-ranges"], "bytes");

    let (status, headers, body) = api.raw("GET", &content, &[("range", "bytes=0-9")], vec![]).await;
    assert_eq!((status, body.as_slice()), (206, &SIPP[..10]));
    assert_eq!(headers["content-range"], format!("bytes 0-9/{len}"));
    let (status, _, body) = api.raw("GET", &content, &[("range", "bytes=-5")], vec![]).await;
    assert_eq!((status, body.as_slice()), (206, &SIPP[len - 5..]));
    let past = format!("bytes={len}-");
    let (status, headers, _) = api.raw("GET", &content, &[("range", &past)], vec![]).await;
    assert_eq!(status, 416);
    assert_eq!(headers["content-range"], format!("bytes */{len}"));

    let (status, headers, body) =
        api.raw("GET", &content, &[("accept", "application/zip")], vec![]).await;
    assert_eq!((status, &headers["content-type"]), (200, &"application/zip".parse().unwrap()));
    let mut archive = zip::ZipArchive::new(Cursor::new(body)).unwrap();
    let mut inside = Vec::new();
    archive.by_name("nsd.json").unwrap().read_to_end(&mut inside).unwrap();
    assert_eq!(inside, SIPP);
    // SOL005's single-file NSD in plain text: the same bytes.
    let (status, headers, body) =
        api.raw("GET", &content, &[("accept", "text/plain")], vec![]).await;
    assert_eq!((status, body.as_slice()), (200, SIPP));
    assert_eq!(headers["content-type"], "text/plain");
    let refused = api.call_with("GET", &content, &[("accept", "image/png")], vec![]).await;
    problem(&refused, 406);
}

#[tokio::test]
async fn a_zip_gives_the_document_it_holds() {
    let api = Api::start(&[]).await;
    let made = api.post_json("/nsd/v1/ns_descriptors", &json!({})).await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    let content = format!("{}/nsd_content", nsd_path(&id));
    let two = zip_of(&[("a.json", SIPP), ("b.json", SIPP)]);
    let answer = api.call("PUT", &content, Some("application/zip"), two).await;
    assert!(problem(&answer, 400)["detail"].as_str().unwrap().contains("a.json, b.json"));
    let none = zip_of(&[("TOSCA-Metadata/TOSCA.meta", b"Entry-Definitions: nsd.yaml\n")]);
    problem(&api.call("PUT", &content, Some("application/zip"), none).await, 400);
    problem(&api.call("PUT", &content, Some("application/zip"), SIPP.to_vec()).await, 400);

    let csar = zip_of(&[
        ("TOSCA-Metadata/TOSCA.meta", b"Entry-Definitions: Definitions/nsd.json\n"),
        ("Definitions/nsd.json", SIPP),
    ]);
    let answer = api.call("PUT", &content, Some("application/zip"), csar).await;
    assert_eq!(answer.status, 204, "{}", answer.body);
    let (_, _, body) = api.raw("GET", &content, &[], vec![]).await;
    assert_eq!(body, SIPP, "the document inside the zip, as it was");
}

#[tokio::test]
async fn the_operational_state_changes_by_patch_against_an_etag() {
    let api = Api::start(&[]).await;
    let id = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap().id;
    let read = api.get(&nsd_path(&id)).await;
    assert_eq!(read.body["nsdOperationalState"], "ENABLED");
    let etag = read.headers["etag"].to_str().unwrap().to_owned();

    // An enabled NSD is not deleted.
    let delete = api.call("DELETE", &nsd_path(&id), None, vec![]).await;
    problem(&delete, 409);

    let disable = json!({"nsdOperationalState": "DISABLED"});
    problem(&patch(&api, &id, Some("\"stale\""), &disable).await, 412);
    let answer = patch(&api, &id, Some(&etag), &disable).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, disable, "the answer is the modifications");
    let new_etag = answer.headers["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    problem(&patch(&api, &id, Some(&etag), &json!({"userDefinedData": {"a": 1}})).await, 412);
    problem(&patch(&api, &id, None, &disable).await, 409);
    assert_eq!(api.get(&nsd_path(&id)).await.body["nsdOperationalState"], "DISABLED");
    let ns = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": id})).await;
    assert!(problem(&ns, 409)["detail"].as_str().unwrap().contains("DISABLED"));
    problem(&patch(&api, &id, None, &json!({"nsdOperationalState": "BROKEN"})).await, 400);
    problem(&patch(&api, &id, None, &json!({})).await, 400);
    problem(&patch(&api, &id, None, &json!({"userDefinedData": null})).await, 400);

    // User data merges as a JSON merge patch; plain JSON is taken too.
    let data = json!({"userDefinedData": {"a": "1", "b": {"c": 2}}});
    assert_eq!(patch(&api, &id, None, &data).await.status, 200);
    let remove = serde_json::to_vec(&json!({"userDefinedData": {"a": null}})).unwrap();
    let answer = api.call("PATCH", &nsd_path(&id), Some("application/json"), remove).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(api.get(&nsd_path(&id)).await.body["userDefinedData"], json!({"b": {"c": 2}}));

    // In use, it is not deleted even disabled; unused and disabled, it is.
    let enable = json!({"nsdOperationalState": "ENABLED"});
    assert_eq!(patch(&api, &id, None, &enable).await.status, 200);
    let ns = api.post_json("/nslcm/v1/ns_instances", &json!({"nsdId": id})).await;
    let ns = ns.body["id"].as_str().unwrap().to_owned();
    assert_eq!(patch(&api, &id, None, &disable).await.status, 200);
    assert_eq!(api.get(&nsd_path(&id)).await.body["nsdUsageState"], "IN_USE");
    problem(&api.call("DELETE", &nsd_path(&id), None, vec![]).await, 409);
    let gone = api.call("DELETE", &format!("/nslcm/v1/ns_instances/{ns}"), None, vec![]).await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(api.call("DELETE", &nsd_path(&id), None, vec![]).await.status, 204);
    problem(&api.get(&nsd_path(&id)).await, 404);
}
