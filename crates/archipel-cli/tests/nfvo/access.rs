//! Who may call what, against the real daemon: every route of the OpenAPI document × no
//! credentials, a bad token, a reader, an operator, an admin and an operator's API key. Each
//! answer is 401, 403, or what the handler answers (a 404 or 400 for the dummy ids and bodies
//! used here: what matters is that the guard let the request through).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Reader,
    Operator,
    Admin,
}

/// Every operation and the least role it needs (None: public). The test fails when the
/// document has an operation this table lacks.
const ROUTES: &[(&str, &str, Option<Role>)] = &[
    ("get", "/health", None),
    ("post", "/auth/v1/login", None),
    ("get", "/auth/v1/users", Some(Role::Admin)),
    ("post", "/auth/v1/users", Some(Role::Admin)),
    ("delete", "/auth/v1/users/{name}", Some(Role::Admin)),
    ("get", "/auth/v1/api_keys", Some(Role::Reader)),
    ("post", "/auth/v1/api_keys", Some(Role::Reader)),
    ("delete", "/auth/v1/api_keys/{id}", Some(Role::Reader)),
    ("get", "/nsd/v1/ns_descriptors", Some(Role::Reader)),
    ("post", "/nsd/v1/ns_descriptors", Some(Role::Operator)),
    ("get", "/nsd/v1/ns_descriptors/{id}", Some(Role::Reader)),
    ("patch", "/nsd/v1/ns_descriptors/{id}", Some(Role::Operator)),
    ("delete", "/nsd/v1/ns_descriptors/{id}", Some(Role::Operator)),
    ("get", "/nsd/v1/ns_descriptors/{id}/nsd_content", Some(Role::Reader)),
    ("put", "/nsd/v1/ns_descriptors/{id}/nsd_content", Some(Role::Operator)),
    ("get", "/nsd/v1/subscriptions", Some(Role::Operator)),
    ("post", "/nsd/v1/subscriptions", Some(Role::Operator)),
    ("get", "/nsd/v1/subscriptions/{id}", Some(Role::Operator)),
    ("delete", "/nsd/v1/subscriptions/{id}", Some(Role::Operator)),
    ("get", "/nslcm/v1/ns_instances", Some(Role::Reader)),
    ("post", "/nslcm/v1/ns_instances", Some(Role::Operator)),
    ("get", "/nslcm/v1/ns_instances/{id}", Some(Role::Reader)),
    ("delete", "/nslcm/v1/ns_instances/{id}", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_instances/{id}/instantiate", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_instances/{id}/scale", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_instances/{id}/heal", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_instances/{id}/terminate", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_instances/{id}/update", Some(Role::Operator)),
    ("get", "/nsfm/v1/alarms", Some(Role::Reader)),
    ("get", "/nsfm/v1/alarms/{id}", Some(Role::Reader)),
    ("patch", "/nsfm/v1/alarms/{id}", Some(Role::Operator)),
    ("get", "/nsfm/v1/subscriptions", Some(Role::Operator)),
    ("post", "/nsfm/v1/subscriptions", Some(Role::Operator)),
    ("get", "/nsfm/v1/subscriptions/{id}", Some(Role::Operator)),
    ("delete", "/nsfm/v1/subscriptions/{id}", Some(Role::Operator)),
    ("get", "/nspm/v1/pm_jobs", Some(Role::Operator)),
    ("post", "/nspm/v1/pm_jobs", Some(Role::Operator)),
    ("get", "/nspm/v1/pm_jobs/{id}", Some(Role::Operator)),
    ("patch", "/nspm/v1/pm_jobs/{id}", Some(Role::Operator)),
    ("delete", "/nspm/v1/pm_jobs/{id}", Some(Role::Operator)),
    ("get", "/nspm/v1/pm_jobs/{id}/reports/{reportId}", Some(Role::Operator)),
    ("get", "/nspm/v1/thresholds", Some(Role::Operator)),
    ("post", "/nspm/v1/thresholds", Some(Role::Operator)),
    ("get", "/nspm/v1/thresholds/{id}", Some(Role::Operator)),
    ("patch", "/nspm/v1/thresholds/{id}", Some(Role::Operator)),
    ("delete", "/nspm/v1/thresholds/{id}", Some(Role::Operator)),
    ("get", "/nsd/v1/api_versions", Some(Role::Reader)),
    ("get", "/nsd/api_versions", Some(Role::Reader)),
    ("get", "/nslcm/v1/api_versions", Some(Role::Reader)),
    ("get", "/nslcm/api_versions", Some(Role::Reader)),
    ("get", "/nsfm/v1/api_versions", Some(Role::Reader)),
    ("get", "/nsfm/api_versions", Some(Role::Reader)),
    ("get", "/nspm/v1/api_versions", Some(Role::Reader)),
    ("get", "/nspm/api_versions", Some(Role::Reader)),
    ("get", "/vnfpkgm/v1/api_versions", Some(Role::Reader)),
    ("get", "/vnfpkgm/api_versions", Some(Role::Reader)),
    ("get", "/vnfpkgm/v1/vnf_packages", Some(Role::Reader)),
    ("post", "/vnfpkgm/v1/vnf_packages", Some(Role::Operator)),
    ("get", "/vnfpkgm/v1/vnf_packages/{id}", Some(Role::Reader)),
    ("patch", "/vnfpkgm/v1/vnf_packages/{id}", Some(Role::Operator)),
    ("delete", "/vnfpkgm/v1/vnf_packages/{id}", Some(Role::Operator)),
    ("get", "/vnfpkgm/v1/vnf_packages/{id}/package_content", Some(Role::Reader)),
    ("put", "/vnfpkgm/v1/vnf_packages/{id}/package_content", Some(Role::Operator)),
    ("get", "/vnfpkgm/v1/vnf_packages/{id}/vnfd", Some(Role::Reader)),
    ("get", "/vnfpkgm/v1/vnf_packages/{id}/artifacts/{artifactPath}", Some(Role::Reader)),
    ("get", "/vnfpkgm/v1/subscriptions", Some(Role::Operator)),
    ("post", "/vnfpkgm/v1/subscriptions", Some(Role::Operator)),
    ("get", "/vnfpkgm/v1/subscriptions/{id}", Some(Role::Operator)),
    ("delete", "/vnfpkgm/v1/subscriptions/{id}", Some(Role::Operator)),
    ("get", "/nslcm/v1/subscriptions", Some(Role::Operator)),
    ("post", "/nslcm/v1/subscriptions", Some(Role::Operator)),
    ("get", "/nslcm/v1/subscriptions/{id}", Some(Role::Operator)),
    ("delete", "/nslcm/v1/subscriptions/{id}", Some(Role::Operator)),
    ("get", "/archipel/v1/events", Some(Role::Reader)),
    ("get", "/metrics", Some(Role::Reader)),
    ("get", "/nslcm/v1/ns_lcm_op_occs", Some(Role::Reader)),
    ("get", "/nslcm/v1/ns_lcm_op_occs/{id}", Some(Role::Reader)),
    ("post", "/nslcm/v1/ns_lcm_op_occs/{id}/cancel", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_lcm_op_occs/{id}/retry", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_lcm_op_occs/{id}/rollback", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_lcm_op_occs/{id}/continue", Some(Role::Operator)),
    ("post", "/nslcm/v1/ns_lcm_op_occs/{id}/fail", Some(Role::Operator)),
    ("get", "/sites", Some(Role::Reader)),
    ("post", "/sites", Some(Role::Admin)),
    ("get", "/sites/{name}", Some(Role::Reader)),
    ("delete", "/sites/{name}", Some(Role::Admin)),
    // Last: it ends the session of the token it is called with.
    ("post", "/auth/v1/logout", Some(Role::Reader)),
];

/// A caller of the table: its credential and what it may do.
struct Caller {
    name: &'static str,
    token: Option<String>,
    role: Option<Role>,
}

#[test]
fn every_route_answers_401_403_or_lets_the_role_through() {
    let world = World::new(&[]);
    let reader = add_user(&world, "reader", "reader");
    let operator = add_user(&world, "operator", "operator");
    let key = world.cli_json(&["apikey", "create", "ci", "--role", "operator"]);
    let key = key["key"].as_str().expect("the API key, shown once").to_owned();
    let callers = [
        Caller { name: "no credentials", token: None, role: None },
        Caller { name: "a bad token", token: Some("0".repeat(64)), role: None },
        Caller { name: "reader", token: Some(reader.1.clone()), role: Some(Role::Reader) },
        Caller { name: "operator", token: Some(operator.1.clone()), role: Some(Role::Operator) },
        Caller { name: "operator API key", token: Some(key.clone()), role: Some(Role::Operator) },
        Caller { name: "admin", token: Some(world.nfvo.token()), role: Some(Role::Admin) },
    ];

    let (status, doc) = world.http_as(None, "GET", "/openapi.json", b"");
    assert_eq!(status, 200, "the document is public");
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    documented.sort();
    let mut tabled: Vec<(String, String)> =
        ROUTES.iter().map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    tabled.sort();
    assert_eq!(documented, tabled, "the table names every operation of the document");

    let mut wrong = Vec::new();
    for (method, template, needs) in ROUTES {
        let path = template.replace("{id}", "no-such-id").replace("{name}", "no-such-name");
        // The event stream would follow for ever: ask for the events kept so far only.
        let path = if *template == "/archipel/v1/events" { path + "?follow=false" } else { path };
        let body = body_of(method, template);
        for caller in &callers {
            let (status, answer) =
                world.http_as(caller.token.as_deref(), &method.to_uppercase(), &path, &body);
            let expected = match (needs, caller.role) {
                (None, _) => "through",
                (Some(_), None) => "401",
                (Some(needs), Some(role)) if role < *needs => "403",
                _ => "through",
            };
            let got = match status {
                401 => "401",
                403 => "403",
                _ => "through",
            };
            // A 403 of the handler itself (a key for another user) is not the guard's.
            if got != expected {
                wrong.push(format!(
                    "{method} {path} as {}: {status} {}",
                    caller.name,
                    String::from_utf8_lossy(&answer)
                ));
            }
            if status == 401 && *template != "/auth/v1/login" {
                let problem: Value = serde_json::from_slice(&answer).unwrap();
                assert!(
                    problem["detail"].as_str().unwrap().contains("archipel login"),
                    "{problem}"
                );
            }
        }
    }
    assert!(wrong.is_empty(), "wrong answers:\n{}", wrong.join("\n"));

    // Every state-changing call left an audit line naming its caller; no secret is in the log.
    let log = world.nfvo.log();
    let audit: Vec<&str> = log.lines().filter(|l| l.contains("audit")).collect();
    for user in ["admin", "operator", "reader", "-"] {
        let line = format!("user={user}");
        assert!(audit.iter().any(|l| l.contains(&line)), "no audit line of {user} in\n{log}");
    }
    assert!(audit.iter().any(|l| l.contains("operation=DELETE") && l.contains("outcome=404")));
    for secret in [&world.nfvo.admin_password, &reader.0, &operator.0, &reader.1, &key] {
        assert!(!log.contains(secret.as_str()), "a secret is in the NFVO's log");
    }
}

/// A body that passes the guard and stops at the handler's checks.
fn body_of(method: &str, template: &str) -> Vec<u8> {
    if method != "post" {
        return Vec::new();
    }
    match template {
        // An empty name is refused before any password is checked (a wrong one would be 401).
        "/auth/v1/login" => json!({"username": "", "password": "x"}).to_string().into(),
        _ => b"{}".to_vec(),
    }
}

/// Adds a user through `archipel user add` and logs in as it over HTTP: its password and token.
fn add_user(world: &World, name: &str, role: &str) -> (String, String) {
    let password = archipel_testkit::unique(&format!("{name}-pw"));
    let mut child = world
        .nfvo
        .cli()
        .args(["user", "add", name, "--role", role, "--password-stdin", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    let user = archipel_testkit::json_output(&out, "archipel user add", || world.nfvo.log());
    assert_eq!(user["role"], role);
    let (status, token) = login(&world.nfvo.endpoint, name, &password);
    assert_eq!(status, 200, "{name} logs in");
    (password, token.unwrap())
}

/// `POST /auth/v1/login` over a fresh connection: the status and the token.
pub fn login(endpoint: &str, user: &str, password: &str) -> (u16, Option<String>) {
    let addr = endpoint.strip_prefix("http://").unwrap();
    let body = json!({"username": user, "password": password}).to_string();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let request = format!(
        "POST /auth/v1/login HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap();
    let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let token = serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| v["token"].as_str().map(str::to_owned));
    (status, token)
}
