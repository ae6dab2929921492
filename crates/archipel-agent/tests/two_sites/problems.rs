//! Every refusal of the agent's HTTP interfaces is problem details, the framework's own
//! (a body that is not JSON, a route or a method that does not exist, a body too large)
//! included; a request naming a site that is no peer, or a name no operator could read, is
//! the caller's mistake (4xx), refused before any site is asked.

use archipel_netlink::Netlink;
use serde_json::{json, Value};

use crate::lab::{Lab, TOKEN};
use crate::NET;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn every_refusal_is_problem_details_with_a_4xx_status() {
    let lab = Lab::start(NET).await;
    let http = reqwest::Client::new();
    let north = format!("{}/intersite-vertical", lab.urls[0]);
    let create = |body: reqwest::Body| {
        http.post(&north).bearer_auth(TOKEN).header("content-type", "application/json").body(body)
    };
    let resources = json!([{"site": "a", "network": "net"}, {"site": "b", "network": "net"}]);
    let named =
        |name: &str| json!({"type": "l2", "name": name, "resources": resources}).to_string();
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        ("not JSON", create("{not json".into()), 400, "JSON"),
        ("no type", create(r#"{"name":"x","resources":[]}"#.into()), 422, "type"),
        ("no such route", http.get(format!("{north}/a-1/nothing")).bearer_auth(TOKEN), 404, "no resource"),
        ("no such method", http.patch(&north).bearer_auth(TOKEN), 405, "does not take PATCH"),
        (
            "a stranger site",
            create(json!({"type": "l2", "name": "x", "resources": [{"site": "a", "network": "net"}, {"site": "zz", "network": "net"}]}).to_string().into()),
            400,
            "site zz is not a peer of site a",
        ),
        ("a NUL in the name", create(named("x\u{0}y").into()), 400, "control character"),
        ("a newline in the name", create(named("x\ny").into()), 400, "control character"),
        ("a long name", create(named(&"n".repeat(200)).into()), 400, "too long"),
        ("a 1.5 MB name", create(named(&"n".repeat(1_500_000)).into()), 413, "length limit"),
    ];
    for (case, request, status, detail) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{case}");
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert_eq!(kind, "application/problem+json", "{case}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], status, "{case}: {problem}");
        let text = problem["detail"].as_str().unwrap();
        assert!(text.contains(detail), "{case}: {text}");
        assert!(text.len() < 1024, "{case}: the detail echoes the request");
    }
    let listed: Value =
        http.get(&north).bearer_auth(TOKEN).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed, json!([]));
    let links = lab.nl.list_links(lab.site_ns(1)).await.unwrap();
    assert!(!links.iter().any(|l| l.name.starts_with("vx")), "{links:?}");
    lab.stop().await;
}
