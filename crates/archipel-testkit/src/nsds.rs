//! The thesis's NSD as tests edit it, and NSDs that the catalogue must refuse, each with the
//! exact path the refusal names: one table for the in-process REST tests and the end-to-end
//! tests through the real daemon.

use serde_json::{json, Value};

/// The thesis's NSD (Appendix C), as shipped.
pub const SIPP_NSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/sipp/nsd.json");

/// The cumulative value (the last column) of the last statistics row `name` ("Successful
/// call", "Failed call", "Incoming calls created", …) of a sipp screen in `log`.
pub fn sipp_counter(log: &str, name: &str) -> Option<u64> {
    let line = log.lines().rev().find(|l| l.trim_start().starts_with(name))?;
    line.rsplit('|').next()?.trim().parse().ok()
}

/// The thesis's NSD as a JSON value. The document has a Gson-style trailing comma before a
/// `]`, which the NFVO accepts and serde_json does not: it is dropped here.
pub fn sipp_nsd() -> Value {
    let text = std::fs::read_to_string(SIPP_NSD).expect("read the SIPp NSD");
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ',' && text[at + 1..].trim_start().starts_with(']') {
            continue;
        }
        out.push(c);
    }
    serde_json::from_str(&out).expect("the SIPp NSD is JSON but for trailing commas")
}

/// Renames the client VNFD, in the dependency on it too.
fn rename_client(document: &mut Value, name: &str) {
    document["vnfd"][0]["name"] = json!(name);
    document["vnf_dependency"][0]["target"] = json!(name);
}

/// (what is wrong, the document, the path the NFVO must name), made by breaking one thing in
/// `base`, the Appendix C NSD (or a document shaped like it: `vnfd[0]` the client, `vnfd[1]`
/// the server, one dependency of the client on the server over `private`).
pub fn broken_nsds(base: &Value) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let edit = |change: fn(&mut Value)| -> Vec<u8> {
        let mut document = base.clone();
        change(&mut document);
        serde_json::to_vec_pretty(&document).expect("a JSON value serialises")
    };
    vec![
        (
            "unknown field",
            edit(|d| d["vnfd"][0]["vdu"][0]["colour"] = json!("red")),
            "vnfd[0].vdu[0].colour",
        ),
        (
            "wrong type",
            edit(|d| d["vnfd"][1]["vdu"][0]["scale_in_out"] = json!("five")),
            "vnfd[1].vdu[0].scale_in_out",
        ),
        (
            "missing name",
            edit(|d| {
                d.as_object_mut().expect("the NSD is an object").remove("name");
            }),
            "name",
        ),
        ("blank vendor", edit(|d| d["vendor"] = json!("  ")), "vendor"),
        (
            "no image",
            edit(|d| d["vnfd"][0]["vdu"][0]["vm_image"] = json!([])),
            "vnfd[0].vdu[0].vm_image",
        ),
        (
            "zero scale",
            edit(|d| d["vnfd"][0]["vdu"][0]["scale_in_out"] = json!(0)),
            "vnfd[0].vdu[0].scale_in_out",
        ),
        (
            "more VNFCs than scale_in_out",
            edit(|d| {
                let vnfc = d["vnfd"][1]["vdu"][0]["vnfc"][0].clone();
                d["vnfd"][1]["vdu"][0]["vnfc"] = json!([vnfc.clone(), vnfc]);
            }),
            "vnfd[1].vdu[0].vnfc",
        ),
        ("duplicate VNFD", edit(|d| d["vnfd"][1]["name"] = json!("sipp-client")), "vnfd[1].name"),
        (
            "connection point to an unknown link",
            edit(|d| {
                d["vnfd"][0]["vdu"][0]["vnfc"][0]["connection_point"][0]["virtual_link_reference"] =
                    json!("public")
            }),
            "vnfd[0].vdu[0].vnfc[0].connection_point[0].virtual_link_reference",
        ),
        (
            "link not in vld",
            edit(|d| d["vnfd"][1]["virtual_link"][0]["name"] = json!("public")),
            "vnfd[1].virtual_link[0].name",
        ),
        (
            "unknown dependency source",
            edit(|d| d["vnf_dependency"][0]["source"]["name"] = json!("proxy")),
            "vnf_dependency[0].source",
        ),
        (
            "self dependency",
            edit(|d| d["vnf_dependency"][0]["source"]["name"] = json!("sipp-client")),
            "vnf_dependency[0].target",
        ),
        (
            "unknown dependency parameter",
            edit(|d| d["vnf_dependency"][0]["parameters"] = json!(["public"])),
            "vnf_dependency[0].parameters[0]",
        ),
        (
            "a VNF name too long to name a container",
            edit(|d| rename_client(d, &"c".repeat(5000))),
            "vnfd[0].name",
        ),
        ("a non-ASCII VNF name", edit(|d| rename_client(d, "sipp-clïent")), "vnfd[0].name"),
        (
            "a configuration key that is no variable name",
            edit(|d| {
                d["vnfd"][0]["configurations"]["configurationParameters"][0]["confKey"] =
                    json!("A=B");
            }),
            "vnfd[0].configurations.configurationParameters[0].confKey",
        ),
        (
            "an image that is a path",
            edit(|d| d["vnfd"][0]["vdu"][0]["vm_image"] = json!(["../../etc"])),
            "vnfd[0].vdu[0].vm_image[0]",
        ),
        (
            "a source type that makes no variable name",
            edit(|d| d["vnfd"][1]["type"] = json!("sipp-server")),
            "vnf_dependency[0].parameters[0]",
        ),
    ]
}
