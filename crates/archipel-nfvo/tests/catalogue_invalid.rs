//! Every refused NSD names the exact place of its fault.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use archipel_nfvo::catalogue::{parse_nsd, CatalogueError, Violation};
use serde_json::{json, Value};

/// A valid NSD shaped like the thesis's SIPp one; each case breaks one thing in it.
fn sipp() -> Value {
    json!({
        "name": "sipp", "vendor": "archipel", "version": "1.0",
        "vld": [{"name": "private"}],
        "vnfd": [
            {
                "name": "sipp-client", "type": "client", "endpoint": "docker",
                "vdu": [{
                    "vm_image": ["mcilloni/sipp-client:latest"], "scale_in_out": 5,
                    "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}],
                    "vimInstanceName": []
                }],
                "configurations": {"name": "sipp-configuration", "configurationParameters": [
                    {"confKey": "SIPP_RATE", "value": "10"},
                    {"confKey": "SIPP_LENGTH", "value": "0"}
                ]},
                "virtual_link": [{"name": "private"}],
                "deployment_flavour": [{"flavour_key": "docker.container"}]
            },
            {
                "name": "sipp-server", "type": "server", "endpoint": "docker",
                "vdu": [{
                    "vm_image": ["mcilloni/sipp-server:latest"], "scale_in_out": 1,
                    "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}],
                    "vimInstanceName": []
                }],
                "virtual_link": [{"name": "private"}],
                "deployment_flavour": [{"flavour_key": "docker.container"}]
            }
        ],
        "vnf_dependency": [{
            "source": {"name": "sipp-server"},
            "target": {"name": "sipp-client"},
            "parameters": ["private"]
        }]
    })
}

fn edit(change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut document = sipp();
    change(&mut document);
    serde_json::to_vec_pretty(&document).unwrap()
}

fn remove(value: &mut Value, key: &str) {
    value.as_object_mut().unwrap().remove(key).unwrap();
}

fn add_dependency(document: &mut Value, dependency: Value) {
    document["vnf_dependency"].as_array_mut().unwrap().push(dependency);
}

/// What the refusal must say besides its path.
#[derive(Debug)]
enum Expect {
    Syntax {
        line: usize,
        column: usize,
    },
    /// Part of serde's message for a schema error.
    Schema(&'static str),
    Invalid(Violation),
}

struct Case {
    name: &'static str,
    document: Vec<u8>,
    path: &'static str,
    expect: Expect,
}

fn case(name: &'static str, document: Vec<u8>, path: &'static str, expect: Expect) -> Case {
    Case { name, document, path, expect }
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn cases() -> Vec<Case> {
    use Expect::{Invalid, Schema, Syntax};
    vec![
        case(
            "self-dependency",
            edit(|d| {
                add_dependency(
                    d,
                    json!({"source": "sipp-client", "target": {"name": "sipp-client"}}),
                )
            }),
            "vnf_dependency[1].target",
            Invalid(Violation::SelfDependency { name: s("sipp-client") }),
        ),
        case(
            "connection point to a link the VNFD lacks",
            edit(|d| {
                d["vnfd"][0]["vdu"][0]["vnfc"][0]["connection_point"][0]["virtual_link_reference"] =
                    json!("public")
            }),
            "vnfd[0].vdu[0].vnfc[0].connection_point[0].virtual_link_reference",
            Invalid(Violation::UnknownVnfdLink { name: s("public"), vnfd: s("sipp-client") }),
        ),
        case(
            "VNFD virtual link missing from vld",
            edit(|d| d["vnfd"][1]["virtual_link"][0]["name"] = json!("public")),
            "vnfd[1].virtual_link[0].name",
            Invalid(Violation::UnknownVld { name: s("public") }),
        ),
        case(
            "dependency source is no VNFD",
            edit(|d| d["vnf_dependency"][0]["source"] = json!({"name": "sipp-proxy"})),
            "vnf_dependency[0].source",
            Invalid(Violation::UnknownVnfd { name: s("sipp-proxy") }),
        ),
        case(
            "dependency target is no VNFD",
            edit(|d| d["vnf_dependency"][0]["target"] = json!("sipp-proxy")),
            "vnf_dependency[0].target",
            Invalid(Violation::UnknownVnfd { name: s("sipp-proxy") }),
        ),
        case(
            "missing comma",
            b"{\n  \"name\": \"sipp\"\n  \"vendor\": \"archipel\"\n}".to_vec(),
            ".",
            Syntax { line: 3, column: 3 },
        ),
        case(
            "truncated document",
            b"{\n  \"name\": \"sipp\",\n  \"vld\": [".to_vec(),
            "vld",
            Syntax { line: 3, column: 10 },
        ),
        case(
            "trailing comma in an object",
            b"{\n  \"name\": \"sipp\",\n}".to_vec(),
            ".",
            Syntax { line: 3, column: 1 },
        ),
        case("trailing characters", b"{} x".to_vec(), ".", Syntax { line: 1, column: 4 }),
        case(
            "not an object",
            b"\"sipp\"".to_vec(),
            ".",
            Schema("expected an Open Baton NetworkServiceDescriptor object"),
        ),
        case(
            "unknown top-level field",
            edit(|d| d["bogus"] = json!(1)),
            "bogus",
            Schema("unknown field `bogus`"),
        ),
        case(
            "unknown nested field",
            edit(|d| d["vnfd"][0]["vdu"][0]["bogus"] = json!(true)),
            "vnfd[0].vdu[0].bogus",
            Schema("unknown field `bogus`"),
        ),
        case(
            "unknown field in a dependency end",
            edit(|d| d["vnf_dependency"][0]["source"]["bogus"] = json!("x")),
            "vnf_dependency[0].source.bogus",
            Schema("unknown field `bogus`"),
        ),
        case(
            "duplicate VNFD name",
            edit(|d| d["vnfd"][1]["name"] = json!("sipp-client")),
            "vnfd[1].name",
            Invalid(Violation::Duplicate { name: s("sipp-client"), first: s("vnfd[0].name") }),
        ),
        case(
            "duplicate vld name",
            edit(|d| d["vld"] = json!([{"name": "private"}, {"name": "private"}])),
            "vld[1].name",
            Invalid(Violation::Duplicate { name: s("private"), first: s("vld[0].name") }),
        ),
        case(
            "duplicate configuration key",
            edit(|d| {
                d["vnfd"][0]["configurations"]["configurationParameters"][1]["confKey"] =
                    json!("SIPP_RATE")
            }),
            "vnfd[0].configurations.configurationParameters[1].confKey",
            Invalid(Violation::Duplicate {
                name: s("SIPP_RATE"),
                first: s("vnfd[0].configurations.configurationParameters[0].confKey"),
            }),
        ),
        case(
            "empty vm_image",
            edit(|d| d["vnfd"][1]["vdu"][0]["vm_image"] = json!([])),
            "vnfd[1].vdu[0].vm_image",
            Invalid(Violation::Empty),
        ),
        case(
            "blank image name",
            edit(|d| d["vnfd"][1]["vdu"][0]["vm_image"] = json!(["  "])),
            "vnfd[1].vdu[0].vm_image[0]",
            Invalid(Violation::Empty),
        ),
        case(
            "scale_in_out 0",
            edit(|d| d["vnfd"][0]["vdu"][0]["scale_in_out"] = json!(0)),
            "vnfd[0].vdu[0].scale_in_out",
            Invalid(Violation::ZeroScale),
        ),
        case(
            "more VNFCs than scale_in_out",
            edit(|d| {
                let vnfc = d["vnfd"][1]["vdu"][0]["vnfc"][0].clone();
                d["vnfd"][1]["vdu"][0]["vnfc"].as_array_mut().unwrap().push(vnfc);
            }),
            "vnfd[1].vdu[0].vnfc",
            Invalid(Violation::TooManyVnfcs { count: 2, scale_in_out: 1 }),
        ),
        case(
            "missing VNFD name",
            edit(|d| remove(&mut d["vnfd"][0], "name")),
            "vnfd[0].name",
            Invalid(Violation::Missing),
        ),
        case(
            "missing NSD vendor",
            edit(|d| remove(d, "vendor")),
            "vendor",
            Invalid(Violation::Missing),
        ),
        case(
            "missing endpoint",
            edit(|d| remove(&mut d["vnfd"][1], "endpoint")),
            "vnfd[1].endpoint",
            Invalid(Violation::Missing),
        ),
        case("no VNFD", edit(|d| d["vnfd"] = json!([])), "vnfd", Invalid(Violation::Empty)),
        case(
            "dependency parameter the source cannot provide",
            edit(|d| d["vnf_dependency"][0]["parameters"] = json!(["SIPP_RATE"])),
            "vnf_dependency[0].parameters[0]",
            Invalid(Violation::UnknownParameter {
                parameter: s("SIPP_RATE"),
                source_name: s("sipp-server"),
            }),
        ),
        case(
            "parameter given twice",
            edit(|d| d["vnf_dependency"][0]["parameters"] = json!(["private", "private"])),
            "vnf_dependency[0].parameters[1]",
            Invalid(Violation::MetadataClash {
                key: s("SERVER_PRIVATE"),
                target: s("sipp-client"),
                first: s("vnf_dependency[0].parameters[0]"),
            }),
        ),
        case(
            "dependency declared twice",
            edit(|d| add_dependency(d, json!({"source": "sipp-server", "target": "sipp-client"}))),
            "vnf_dependency[1]",
            Invalid(Violation::DuplicateDependency {
                source_name: s("sipp-server"),
                target: s("sipp-client"),
                first: s("vnf_dependency[0]"),
            }),
        ),
        case(
            "wrong type: a string for vm_image",
            edit(|d| d["vnfd"][0]["vdu"][0]["vm_image"] = json!("mcilloni/sipp-client:latest")),
            "vnfd[0].vdu[0].vm_image",
            Schema("invalid type: string"),
        ),
        case(
            "wrong type: scale_in_out as a string",
            edit(|d| d["vnfd"][0]["vdu"][0]["scale_in_out"] = json!("5")),
            "vnfd[0].vdu[0].scale_in_out",
            Schema("invalid type: string \"5\", expected u32"),
        ),
        case(
            "negative scale_in_out",
            edit(|d| d["vnfd"][0]["vdu"][0]["scale_in_out"] = json!(-1)),
            "vnfd[0].vdu[0].scale_in_out",
            Schema("invalid value: integer `-1`"),
        ),
        case(
            "wrong type: a number for a dependency end",
            edit(|d| d["vnf_dependency"][0]["target"] = json!(7)),
            "vnf_dependency[0].target",
            Schema("expected a VNFD name or an object with a `name`"),
        ),
    ]
}

#[test]
fn each_invalid_nsd_is_refused_at_its_exact_path() {
    let cases = cases();
    assert!(cases.len() >= 14);
    let mut failures = Vec::new();
    for case in cases {
        let error = match parse_nsd(&case.document) {
            Ok(_) => {
                failures.push(format!("{}: accepted", case.name));
                continue;
            }
            Err(error) => error,
        };
        let matches = error.path() == case.path
            && match (&case.expect, &error) {
                (
                    Expect::Syntax { line, column },
                    CatalogueError::Syntax { line: l, column: c, .. },
                ) => (line, column) == (l, c),
                (Expect::Schema(part), CatalogueError::Schema { source, .. }) => {
                    source.to_string().contains(part)
                }
                (Expect::Invalid(violation), CatalogueError::Invalid { violation: v, .. }) => {
                    violation == v
                }
                _ => false,
            };
        if !matches {
            failures.push(format!(
                "{}: expected {:?} at {}, got {error:?}",
                case.name, case.expect, case.path
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_message_starts_with_the_path() {
    let document = edit(|d| d["vnfd"][1]["vdu"][0]["vm_image"] = json!([]));
    let error = parse_nsd(&document).unwrap_err();
    assert_eq!(error.to_string(), "vnfd[1].vdu[0].vm_image: must not be empty");

    let cycle =
        edit(|d| add_dependency(d, json!({"source": "sipp-client", "target": "sipp-server"})));
    // Taken, as Open Baton takes it; refused under ordered start.
    let nsd = parse_nsd(&cycle).unwrap();
    let error = nsd.check_acyclic().unwrap_err();
    assert_eq!(
        error.to_string(),
        "vnf_dependency[1]: dependency cycle sipp-client -> sipp-server -> sipp-client"
    );
    assert!(matches!(error, CatalogueError::Invalid { violation: Violation::Cycle { .. }, .. }));
}

#[test]
fn a_schema_error_keeps_serde_s_reason_as_its_source() {
    let document = edit(|d| d["vnfd"][0]["vdu"][0]["bogus"] = json!(true));
    let error = parse_nsd(&document).unwrap_err();
    assert_eq!(error.to_string(), "vnfd[0].vdu[0].bogus: does not fit the Open Baton NSD schema");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(source.starts_with("unknown field `bogus`"), "{source}");
}
