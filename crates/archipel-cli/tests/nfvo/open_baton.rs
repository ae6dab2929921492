//! Descriptors written the way Open Baton's own repositories write them, onboarded through the
//! real daemon: what Open Baton takes is taken, what it refuses is refused, and every refusal
//! names its path (issue 14, "parse as Open Baton does").

use archipel_testkit::{NfvoProcess, PopdRuntime, TestSubnet};
use serde_json::{json, Value};

use crate::harness::{sipp_nsd, str_of, vnfcs, World, BIN};

enum Expect {
    Taken,
    /// Taken, with a warning at each of these paths (fields Archipel does not act on).
    Warned(&'static [&'static str]),
    /// Refused at this path, the message holding this text.
    Refused(&'static str, &'static str),
}

/// The SIPp NSD as compact JSON with `insert` placed right after the opening brace of the
/// first VNFD: the way to write a key twice, which a JSON value cannot hold.
fn with_first_vnfd_key(insert: &str) -> Vec<u8> {
    let text = serde_json::to_string(&sipp_nsd()).unwrap();
    let at = text.find("\"vnfd\":[{").expect("a vnfd list") + "\"vnfd\":[{".len();
    format!("{}{insert},{}", &text[..at], &text[at..]).into_bytes()
}

fn edited(change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut nsd = sipp_nsd();
    change(&mut nsd);
    serde_json::to_vec(&nsd).unwrap()
}

fn cases() -> Vec<(&'static str, Vec<u8>, Expect)> {
    let first_type = sipp_nsd()["vnfd"][0]["type"].as_str().unwrap().to_owned();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(serde_json::to_vec(&sipp_nsd()).unwrap());
    let event = |name: &str| {
        let name = name.to_owned();
        edited(move |nsd| {
            nsd["vnfd"][0]["lifecycle_event"] =
                serde_json::json!([{"event": name, "lifecycle_events": ["start.sh"]}]);
        })
    };
    let flavour = |key: &'static str| {
        edited(move |nsd| {
            nsd["vnfd"][0]["deployment_flavour"][0][key] = serde_json::json!([]);
        })
    };
    vec![
        (
            "`type` twice with the same value",
            with_first_vnfd_key(&format!("\"type\":\"{first_type}\"")),
            Expect::Taken,
        ),
        (
            "`type` twice with different values",
            with_first_vnfd_key("\"type\":\"something-else\""),
            Expect::Refused("vnfd[0].type", "Open Baton would keep the last one silently"),
        ),
        ("a leading byte order mark", bom, Expect::Taken),
        ("Open Baton's `costituent_vdu`", flavour("costituent_vdu"), Expect::Taken),
        ("the correct `constituent_vdu`", flavour("constituent_vdu"), Expect::Taken),
        ("a known lifecycle event", event("SCALE_OUT"), Expect::Taken),
        (
            "a lifecycle event Open Baton does not know",
            event("CONFIGURED"),
            Expect::Refused("vnfd[0].lifecycle_event[0].event", "CONFIGURED"),
        ),
        (
            "`requires` in place of vnf_dependency",
            serde_json::to_vec(&requires_only()).unwrap(),
            Expect::Taken,
        ),
        (
            "`requires` naming no VNFD",
            edited(|nsd| nsd["vnfd"][0]["requires"] = json!({"nobody": {"parameters": ["x"]}})),
            Expect::Refused("vnfd[0].requires.nobody", "no VNFD named `nobody`"),
        ),
        (
            "`requires` a parameter the source cannot give",
            edited(|nsd| {
                nsd["vnfd"][0]["requires"] = json!({"sipp-server": {"parameters": ["public"]}});
            }),
            Expect::Refused("vnfd[0].requires.sipp-server.parameters[0]", "`public`"),
        ),
        (
            "`provides` what the VNF has",
            edited(|nsd| nsd["vnfd"][1]["provides"] = json!(["private", "hostname"])),
            Expect::Taken,
        ),
        (
            "`provides` what nothing fills",
            edited(|nsd| nsd["vnfd"][1]["provides"] = json!(["private", "license"])),
            Expect::Refused("vnfd[1].provides[1]", "add a configuration parameter `license`"),
        ),
        (
            "current Open Baton fields",
            edited(|nsd| {
                nsd["vld"][0]["poolName"] = "pool".into();
                nsd["vld"][0]["dns"] = serde_json::json!(["8.8.8.8"]);
                nsd["nfvo_version"] = "5.2.0".into();
            }),
            Expect::Warned(&["vld[0].poolName", "vld[0].dns", "nfvo_version"]),
        ),
    ]
}

#[test]
fn open_baton_shaped_descriptors_are_taken_or_refused_as_open_baton_would() {
    let world = World::new(&[]);
    for (name, document, expect) in cases() {
        let (status, body) = world.http("POST", "/nsd/v1/ns_descriptors", &document);
        let answer: Value = serde_json::from_slice(&body).expect("a JSON answer");
        match expect {
            Expect::Taken => assert_eq!(status, 201, "{name}: {answer}"),
            Expect::Warned(paths) => {
                assert_eq!(status, 201, "{name}: {answer}");
                let warned: Vec<&str> = answer["warnings"]
                    .as_array()
                    .map(|w| w.iter().filter_map(|w| w["path"].as_str()).collect())
                    .unwrap_or_default();
                for path in paths {
                    assert!(warned.contains(path), "{name}: no warning at {path}: {answer}");
                }
            }
            Expect::Refused(path, text) => {
                assert_eq!(status, 400, "{name}: {answer}");
                assert_eq!(answer["path"], path, "{name}: {answer}");
                let detail = answer["detail"].as_str().unwrap_or_default();
                assert!(detail.starts_with(&format!("{path}:")), "{name}: {answer}");
                assert!(detail.contains(text), "{name}: {answer}");
            }
        }
    }
}

/// The SIPp NSD with its dependency written as the client's `requires` instead.
fn requires_only() -> Value {
    let mut nsd = sipp_nsd();
    nsd["vnf_dependency"] = json!([]);
    nsd["vnfd"][0]["requires"] = json!({"sipp-server": {"parameters": ["private"]}});
    nsd
}

/// The SIPp NSD with a second dependency, client -> server, closing a cycle.
fn cyclic_sipp() -> Value {
    let mut nsd = sipp_nsd();
    nsd["vnf_dependency"].as_array_mut().unwrap().push(json!({
        "source": {"name": "sipp-client"},
        "target": {"name": "sipp-server"},
        "parameters": ["private"]
    }));
    nsd
}

#[test]
#[ignore = "needs root"]
fn cyclic_and_requires_nsds_start_as_on_open_baton() {
    // A cycle is taken and started, as Open Baton does with ordered start off (its default):
    // each side of it is configured with the other's address.
    let world = World::new(&[PopdRuntime::Native]);
    let site = &world.sites[0];
    let nsd = world.onboard(&cyclic_sipp());
    let ns = world.launch(&nsd, &[]);
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let client = &vnfcs(&ns, "sipp-client")[0];
    let server = &vnfcs(&ns, "sipp-server")[0];
    let (client_addr, server_addr) =
        (str_of(&client["addresses"]["private"]), str_of(&server["addresses"]["private"]));
    let client_env = site.env(str_of(&client["name"]), client_addr);
    let server_env = site.env(str_of(&server["name"]), server_addr);
    assert_eq!(client_env.get("SERVER_PRIVATE").map(String::as_str), Some(server_addr));
    assert_eq!(server_env.get("CLIENT_PRIVATE").map(String::as_str), Some(client_addr));

    // A client that declares `requires` instead of the NSD's vnf_dependency gets the server's
    // address just the same.
    let ns = world.launch(&world.onboard(&requires_only()), &[]);
    let client = &vnfcs(&ns, "sipp-client")[0];
    let server = &vnfcs(&ns, "sipp-server")[0];
    let server_addr = str_of(&server["addresses"]["private"]);
    let env = site.env(str_of(&client["name"]), str_of(&client["addresses"]["private"]));
    assert_eq!(env.get("SERVER_PRIVATE").map(String::as_str), Some(server_addr), "{env:?}");

    // Under ordered start the cyclic NSD is refused, the cycle named at its closing dependency.
    let subnet = TestSubnet::lease();
    let ordered = NfvoProcess::start_with(BIN, &subnet.slash22(1), &["--ordered-start"]);
    let file = world.files.path().join("cyclic.json");
    std::fs::write(&file, serde_json::to_vec(&cyclic_sipp()).unwrap()).unwrap();
    let out = ordered.cli().args(["ns", "onboard", file.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("vnf_dependency[1]: dependency cycle sipp-client -> sipp-server"),
        "{stderr}"
    );
}
