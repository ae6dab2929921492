//! Agents know each other: over the lab's TLS an East-West caller is the peer site its client
//! certificate names, and a participant checks a join against its own state. Forged joins
//! are refused and change nothing, the extension in place carries traffic throughout; every
//! agent route refuses a call without its credential.

use std::net::Ipv4Addr;

use archipel_daemon::pki::{self, Names};
use archipel_daemon::tls::ClientTls;
use archipel_lab::agent_cert;
use serde_json::{json, Value};

use crate::harness::{pings, Lab};

/// An HTTPS client of the lab's agents, presenting the certificate `identity` of the lab's
/// PKI (none: no client certificate).
struct Caller {
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
}

impl Caller {
    fn new(lab: &Lab, identity: Option<&str>) -> Self {
        let ca = lab.ctx.ca.as_deref().expect("the lab serves TLS");
        let files = identity.map(|name| lab.ctx.cert_files(name).expect("the lab's certificate"));
        let identity = files.as_ref().map(|f| (f.cert.as_path(), f.key.as_path()));
        let tls = ClientTls::load(ca, identity).expect("the lab's CA and certificate").config;
        let http = reqwest::Client::builder().use_preconfigured_tls(tls).build().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Self { http, rt }
    }

    /// `METHOD URL` with `headers` and a JSON body unless null; the status and the body.
    fn call(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, url);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if !body.is_null() {
            req = req.json(body);
        }
        self.rt.block_on(async move {
            let resp = req.send().await.expect("the agent answers");
            (resp.status().as_u16(), resp.text().await.unwrap_or_default())
        })
    }
}

/// A certificate of the lab's CA for a site that is not in the lab.
fn stranger(lab: &Lab, site: &str) -> String {
    let name = format!("stranger-{site}");
    let names = Names { dns: vec![site.to_owned()], ips: Vec::new() };
    pki::issue(&lab.ctx.pki_dir(), &name, &names).expect("issue a certificate");
    name
}

/// An L2 extension of a's `net` over a and b with a container at each end that ping each
/// other; its id and VNI, and the containers' namespaces and addresses.
fn extension(lab: &Lab) -> (String, u64, [(String, Ipv4Addr); 2]) {
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
    let join_url = format!("{}/intersite-horizontal", lab.ctx.site("b").unwrap().agent_url);
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
    let (as_c, as_x) =
        (Caller::new(&lab, Some(&agent_cert("c"))), Caller::new(&lab, Some(&stranger(&lab, "x"))));
    let anonymous = Caller::new(&lab, None);
    let cases: Vec<(&str, &Caller, Value, u16, String)> = vec![
        (
            "a site that is not a peer (a certificate of the lab's CA naming x)",
            &as_x,
            join(&|s| s["master"] = json!("x")),
            403,
            "the client certificate names x, no peer of this site".into(),
        ),
        (
            "no client certificate",
            &anonymous,
            join(&|_| {}),
            401,
            "a peer site's client certificate is required".into(),
        ),
        (
            "another master",
            &as_c,
            join(&|s| s["master"] = json!("a")),
            403,
            "site c called, but the request names site a as the master".into(),
        ),
        (
            "the VNI in use",
            &as_c,
            join(&|s| s["params"]["vni"] = json!(vni)),
            409,
            format!("VNI {vni} of the service is already used at site b by service {id}"),
        ),
        (
            "a network of another service",
            &as_c,
            join(&|s| s["resources"][1]["network"] = json!("net")),
            409,
            format!("network net of site b is already part of service {id}"),
        ),
        (
            "the site's default network, narrowed",
            &as_c,
            join(&|s| {
                s["resources"][1]["network"] = json!("private");
                s["params"]["cidr"] = json!("172.16.0.0/16");
                s["params"]["gateway"] = json!("172.16.0.1");
                s["params"]["pools"]["b"] = json!([{"first": "172.16.0.2", "last": "172.16.0.2"}]);
                s["params"]["pools"]["c"] = json!([{"first": "172.16.0.3", "last": "172.16.0.3"}]);
            }),
            409,
            "network private exists at site b with other pools: a participant joins with a \
             network it makes itself"
                .into(),
        ),
        (
            "pools outside the subnet",
            &as_c,
            join(&|s| {
                s["params"]["pools"]["b"] = json!([{"first": "192.0.2.10", "last": "192.0.2.20"}])
            }),
            400,
            format!(
                "the address plan of service c-0badcafe for site b is invalid: pool \
                 192.0.2.10-192.0.2.20 is not inside subnet {cidr}"
            ),
        ),
        (
            "an underlay address that is no peer's",
            &as_c,
            join(&|s| s["params"]["underlays"]["c"] = json!("198.51.100.7")),
            400,
            format!(
                "the underlay address 198.51.100.7 given for site c is not its configured one \
                 ({c_underlay})"
            ),
        ),
    ];
    for (what, caller, body, status, detail) in cases {
        let (got, reply) = caller.call("POST", &join_url, &[], &body);
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
    /// North: another site's token; East-West: a certificate of the lab's CA for a site that
    /// is no peer.
    Bad,
    Valid,
}

#[test]
#[ignore = "needs root"]
fn every_agent_route_refuses_a_call_without_its_credential() {
    let lab = Lab::up(3);
    let (id, _, _) = extension(&lab);
    let base = lab.ctx.site("a").unwrap().agent_url.clone();
    let token = format!("Bearer {}", lab.ctx.site("a").unwrap().agent_token);
    let wrong_token = format!("Bearer {}", lab.ctx.site("b").unwrap().agent_token);
    let anonymous = Caller::new(&lab, None);
    let as_b = Caller::new(&lab, Some(&agent_cert("b")));
    let as_x = Caller::new(&lab, Some(&stranger(&lab, "x")));
    let none = json!(null);
    let cidr = lab.subnet.slash24(9);
    let unknown = "a-00000000";
    let too_few =
        json!({"type": "l2", "name": "x", "resources": [{"site": "a", "network": "net"}]});
    let forged = |master: &str| {
        json!({"global_id": id, "type": "l2", "name": "x", "master": master, "params": {},
               "resources": []})
    };
    // (interface, method, path, body, status with the valid credential): past the
    // credential, the handler's answer; 403 where the caller is a peer that may not ask it.
    let routes: Vec<(&str, &str, String, Value, u16)> = vec![
        ("north", "GET", "/intersite-vertical".into(), none.clone(), 200),
        ("north", "POST", "/intersite-vertical".into(), too_few, 400),
        ("north", "GET", format!("/intersite-vertical/{id}"), none.clone(), 200),
        ("north", "PUT", format!("/intersite-vertical/{id}"), json!({"name": "renamed"}), 200),
        ("north", "DELETE", format!("/intersite-vertical/{unknown}"), none.clone(), 404),
        ("north", "POST", format!("/intersite-vertical/{id}/pools"), none.clone(), 200),
        ("north", "GET", "/intersite-site".into(), none.clone(), 200),
        ("local", "POST", "/intersite-local/networks/net/pools".into(), none.clone(), 200),
        ("east-west", "POST", "/intersite-horizontal".into(), json!({"service": forged("c")}), 403),
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
        (
            "east-west",
            "POST",
            "/intersite-horizontal/revisions".into(),
            json!({ "services": serde_json::Map::from_iter([(id.clone(), json!(0))]) }),
            200,
        ),
        ("east-west", "GET", format!("/intersite-horizontal/{id}"), none.clone(), 200),
        ("east-west", "PUT", format!("/intersite-horizontal/{id}"), forged("b"), 403),
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
            let east_west = interface == "east-west";
            let (caller, headers): (&Caller, Vec<(&str, &str)>) = match (east_west, credential) {
                (_, Credential::None) => (&anonymous, Vec::new()),
                (true, Credential::Bad) => (&as_x, Vec::new()),
                (true, Credential::Valid) => (&as_b, Vec::new()),
                (false, Credential::Bad) => (&anonymous, vec![("authorization", &wrong_token)]),
                (false, Credential::Valid) => (&anonymous, vec![("authorization", &token)]),
            };
            let expected = match credential {
                Credential::Valid => valid,
                Credential::Bad if east_west => 403,
                _ => 401,
            };
            let (status, reply) = caller.call(method, &format!("{base}{path}"), &headers, &body);
            assert_eq!(status, expected, "{method} {path} with {credential:?} credential: {reply}");
        }
    }
    lab.down();
}
