//! Agents know each other: an East-West call comes from a peer site proven by the key that
//! pair of sites shares, and a participant checks a join against its own state. Forged joins
//! are refused and change nothing, the extension in place carries traffic throughout; every
//! agent route refuses a call without its credential.

use std::io::{Read, Write};
use std::net::TcpStream;

use archipel_agent::{KEY_HEADER, SITE_HEADER};
use serde_json::{json, Value};

use crate::harness::{pings, Lab};

/// `METHOD PATH` with `headers` and a JSON body; the status and the body.
fn call(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, String) {
    let body = if body.is_null() { String::new() } else { body.to_string() };
    let mut extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    if !body.is_empty() {
        extra += "content-type: application/json\r\n";
    }
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}content-length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).expect("connect to the agent");
    stream.write_all(request.as_bytes()).expect("send the request");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read the reply");
    let code = reply.split(' ').nth(1).unwrap_or_default();
    let code = code.parse().unwrap_or_else(|_| panic!("not an HTTP reply: {reply}"));
    (code, reply.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned())
}

fn addr(lab: &Lab, site: &str) -> String {
    lab.ctx.site(site).unwrap().agent_url.trim_start_matches("http://").to_owned()
}

/// An L2 extension of a's `net` over a and b with a container at each end that ping each
/// other; its id and VNI, and the containers' namespaces and addresses.
fn extension(lab: &Lab) -> (String, u64, [(String, std::net::Ipv4Addr); 2]) {
    lab.network("a", "net", &lab.subnet.slash24(7));
    let create = ["intersite", "create", "--type", "l2", "--name", "live"];
    let service =
        lab.json("a", &[&create[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    let id = service["global_id"].as_str().unwrap().to_owned();
    let vni = service["params"]["vni"].as_u64().unwrap();
    let (a_addr, a_ns) = lab.container("a", "ca", "net");
    let (b_addr, b_ns) = lab.container("b", "cb", "net");
    assert!(pings(&a_ns, b_addr), "{a_addr} does not reach {b_addr}");
    (id, vni, [(a_ns, a_addr), (b_ns, b_addr)])
}

/// What site b holds that a join could change: its links, bridge ports and static
/// forwarding entries (the flood entries among them), its networks and its services.
fn state_of_b(lab: &Lab) -> String {
    let ns = lab.netns("b");
    let links = archipel_testkit::sh(&format!("ip -n {ns} -o link show"));
    // The entries the agents and popd set; the learned ones come and go with traffic.
    let fdb = archipel_testkit::sh(&format!("bridge -n {ns} fdb show"));
    let fdb: Vec<&str> = fdb.lines().filter(|l| l.ends_with("permanent")).collect();
    let networks = lab.json("b", &["pop", "networks"]);
    let services = lab.json("b", &["intersite", "ls"]);
    format!("{links}\n{}\n{networks}\n{services}", fdb.join("\n"))
}

#[test]
#[ignore = "needs root"]
fn forged_joins_are_refused_and_the_extension_in_place_carries_traffic() {
    let lab = Lab::up(3);
    let (id, vni, [(a_ns, a_addr), (b_ns, b_addr)]) = extension(&lab);
    let before = state_of_b(&lab);
    let b = addr(&lab, "b");
    let c_key = lab.ctx.pair_key("b", "c").unwrap().to_owned();
    let c_underlay = lab.ctx.site("c").unwrap().underlay_ip.to_string();
    let b_underlay = lab.ctx.site("b").unwrap().underlay_ip.to_string();
    let cidr = lab.subnet.slash24(9);
    let host = |n: u8| cidr.replace(".0/24", &format!(".{n}"));
    let pool = |first: u8, last: u8| json!([{"first": host(first), "last": host(last)}]);
    // A join of b into a service of c, valid as it stands; each case spoils one thing.
    let join = |f: &dyn Fn(&mut Value)| {
        let mut service = json!({
            "global_id": "c-0badcafe", "type": "l2", "name": "forged", "master": "c",
            "params": {
                "vni": 4000, "cidr": cidr, "gateway": host(1), "mtu": 1450,
                "pools": {"b": pool(10, 20), "c": pool(30, 40)},
                "underlays": {"b": b_underlay, "c": c_underlay},
            },
            "resources": [{"site": "c", "network": "forged"}, {"site": "b", "network": "forged"}],
        });
        f(&mut service);
        json!({ "service": service })
    };
    let as_c = [(SITE_HEADER, "c"), (KEY_HEADER, c_key.as_str())];
    let wrong_pair = [(SITE_HEADER, "c"), (KEY_HEADER, lab.ctx.pair_key("a", "b").unwrap())];
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: Vec<(&str, Value, Headers, u16, String)> = vec![
        (
            "a site that is not a peer",
            join(&|s| s["master"] = json!("x")),
            &[(SITE_HEADER, "x"), (KEY_HEADER, "guessed")],
            401,
            "a peer's site name in x-archipel-site and its key in x-archipel-key are required"
                .into(),
        ),
        (
            "a peer with another pair's key",
            join(&|_| {}),
            &wrong_pair,
            401,
            "a peer's site name in x-archipel-site and its key in x-archipel-key are required"
                .into(),
        ),
        (
            "another master",
            join(&|s| s["master"] = json!("a")),
            &as_c,
            403,
            "site c called, but the request names site a as the master".into(),
        ),
        (
            "the VNI in use",
            join(&|s| s["params"]["vni"] = json!(vni)),
            &as_c,
            409,
            format!("VNI {vni} of the service is already used at site b by service {id}"),
        ),
        (
            "a network of another service",
            join(&|s| s["resources"][1]["network"] = json!("net")),
            &as_c,
            409,
            format!("network net of site b is already part of service {id}"),
        ),
        (
            "the site's default network, narrowed",
            join(&|s| {
                s["resources"][1]["network"] = json!("private");
                s["params"]["cidr"] = json!("172.16.0.0/16");
                s["params"]["gateway"] = json!("172.16.0.1");
                s["params"]["pools"]["b"] = json!([{"first": "172.16.0.2", "last": "172.16.0.2"}]);
                s["params"]["pools"]["c"] = json!([{"first": "172.16.0.3", "last": "172.16.0.3"}]);
            }),
            &as_c,
            409,
            "network private exists at site b with other pools: a participant joins with a \
             network it makes itself"
                .into(),
        ),
        (
            "pools outside the subnet",
            join(&|s| {
                s["params"]["pools"]["b"] = json!([{"first": "192.0.2.10", "last": "192.0.2.20"}])
            }),
            &as_c,
            400,
            format!(
                "the address plan of service c-0badcafe for site b is invalid: pool \
                 192.0.2.10-192.0.2.20 is not inside subnet {cidr}"
            ),
        ),
        (
            "an underlay address that is no peer's",
            join(&|s| s["params"]["underlays"]["c"] = json!("198.51.100.7")),
            &as_c,
            400,
            format!(
                "the underlay address 198.51.100.7 given for site c is not its configured one \
                 ({c_underlay})"
            ),
        ),
    ];
    for (what, body, headers, status, detail) in cases {
        let (got, reply) = call(&b, "POST", "/intersite-horizontal", headers, &body);
        assert_eq!(got, status, "{what}: {reply}");
        let problem: Value = serde_json::from_str(&reply).unwrap_or_default();
        assert_eq!(problem["detail"], json!(detail), "{what}: {reply}");
        assert_eq!(state_of_b(&lab), before, "{what} changed site b");
        assert!(pings(&a_ns, b_addr), "after {what}: {a_addr} no longer reaches {b_addr}");
        assert!(pings(&b_ns, a_addr), "after {what}: {b_addr} no longer reaches {a_addr}");
    }
    lab.down();
}

/// Which credential a row of the table is called with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Credential {
    None,
    Bad,
    Valid,
}

#[test]
#[ignore = "needs root"]
fn every_agent_route_refuses_a_call_without_its_credential() {
    let lab = Lab::up(3);
    let (id, _, _) = extension(&lab);
    let a = addr(&lab, "a");
    let token = format!("Bearer {}", lab.ctx.site("a").unwrap().agent_token);
    let wrong_token = format!("Bearer {}", lab.ctx.site("b").unwrap().agent_token);
    let b_key = lab.ctx.pair_key("a", "b").unwrap();
    let c_key = lab.ctx.pair_key("a", "c").unwrap();
    let none = json!(null);
    let cidr = lab.subnet.slash24(9);
    // (interface, method, path, body, status with the valid credential): past the
    // credential, the handler's answer; 403 where the caller is a peer that may not ask it.
    let unknown = "a-00000000";
    let routes: Vec<(&str, &str, String, Value, u16)> = vec![
        ("north", "GET", "/intersite-vertical".into(), none.clone(), 200),
        (
            "north",
            "POST",
            "/intersite-vertical".into(),
            json!({"type": "l2", "name": "x", "resources": [{"site": "a", "network": "net"}]}),
            400,
        ),
        ("north", "GET", format!("/intersite-vertical/{id}"), none.clone(), 200),
        ("north", "PUT", format!("/intersite-vertical/{id}"), json!({"name": "renamed"}), 200),
        ("north", "DELETE", format!("/intersite-vertical/{unknown}"), none.clone(), 404),
        ("north", "POST", format!("/intersite-vertical/{id}/pools"), none.clone(), 200),
        ("north", "GET", "/intersite-site".into(), none.clone(), 200),
        ("local", "POST", "/intersite-local/networks/net/pools".into(), none.clone(), 200),
        (
            "east-west",
            "POST",
            "/intersite-horizontal".into(),
            json!({"service": {"global_id": "c-0badcafe", "type": "l2", "name": "x", "master": "c", "params": {}, "resources": []}}),
            403,
        ),
        ("east-west", "GET", "/intersite-horizontal/networks/net/cidr".into(), none.clone(), 200),
        (
            "east-west",
            "GET",
            format!("/intersite-horizontal/cidr-free?cidr={cidr}"),
            none.clone(),
            200,
        ),
        ("east-west", "GET", "/intersite-horizontal/vni-free?vni=7".into(), none.clone(), 200),
        (
            "east-west",
            "POST",
            "/intersite-horizontal/vni-reservations".into(),
            json!({"vni": 7, "global_id": "b-00000001"}),
            200,
        ),
        (
            "east-west",
            "DELETE",
            "/intersite-horizontal/vni-reservations/7?global_id=b-00000001".into(),
            none.clone(),
            204,
        ),
        (
            "east-west",
            "POST",
            "/intersite-horizontal/vni-reservations".into(),
            json!({"vni": 7, "global_id": "c-00000001"}),
            403,
        ),
        ("east-west", "GET", format!("/intersite-horizontal/{id}"), none.clone(), 200),
        (
            "east-west",
            "PUT",
            format!("/intersite-horizontal/{id}"),
            json!({"global_id": id, "type": "l2", "name": "x", "master": "b", "params": {}, "resources": []}),
            403,
        ),
        ("east-west", "DELETE", format!("/intersite-horizontal/{id}"), none.clone(), 403),
        (
            "east-west",
            "POST",
            format!("/intersite-horizontal/{id}/pools"),
            json!({"site": "b", "pools": []}),
            200,
        ),
        (
            "east-west",
            "POST",
            format!("/intersite-horizontal/{id}/pools"),
            json!({"site": "c", "pools": []}),
            403,
        ),
    ];
    for (interface, method, path, body, valid) in routes {
        for credential in [Credential::None, Credential::Bad, Credential::Valid] {
            let headers: Vec<(&str, &str)> = match (interface, credential) {
                (_, Credential::None) => Vec::new(),
                ("east-west", Credential::Bad) => vec![(SITE_HEADER, "b"), (KEY_HEADER, c_key)],
                ("east-west", Credential::Valid) => vec![(SITE_HEADER, "b"), (KEY_HEADER, b_key)],
                (_, Credential::Bad) => vec![("authorization", wrong_token.as_str())],
                (_, Credential::Valid) => vec![("authorization", token.as_str())],
            };
            let expected = if credential == Credential::Valid { valid } else { 401 };
            let (status, reply) = call(&a, method, &path, &headers, &body);
            assert_eq!(status, expected, "{method} {path} with {credential:?} credential: {reply}");
        }
    }
    lab.down();
}
