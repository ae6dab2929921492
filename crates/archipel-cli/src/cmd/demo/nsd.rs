//! The thesis's SIPp NSD (examples/sipp/nsd.json), embedded in the binary. It is onboarded as
//! it is, but for two configuration parameters added to the client's VNFD so that the client
//! stops: SIPP_CALLS (sipp -m) and SIPP_TIMEOUT (sipp -timeout, failing rather than hanging).

use anyhow::Context as _;
use serde_json::{json, Value};

/// The NSD, byte for byte as in the repository.
const NSD: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/sipp/nsd.json"));

/// The NSD's VNFs, by their VNFD names.
pub const SERVER: &str = "sipp-server";
pub const CLIENT: &str = "sipp-client";

/// The NSD with `SIPP_CALLS = calls` and `SIPP_TIMEOUT = timeout_secs` among the client's
/// configuration parameters.
pub fn with_calls(calls: u32, timeout_secs: u32) -> anyhow::Result<Vec<u8>> {
    let mut nsd: Value = serde_json::from_slice(&without_trailing_commas(NSD))
        .context("the embedded SIPp NSD is not JSON")?;
    let params = nsd["vnfd"]
        .as_array_mut()
        .and_then(|vnfds| vnfds.iter_mut().find(|v| v["name"] == CLIENT))
        .and_then(|vnfd| vnfd["configurations"]["configurationParameters"].as_array_mut())
        .with_context(|| format!("the embedded SIPp NSD has no configuration of {CLIENT}"))?;
    for (key, value) in [("SIPP_CALLS", calls), ("SIPP_TIMEOUT", timeout_secs)] {
        params.retain(|p| p["confKey"] != key);
        params.push(json!({ "confKey": key, "value": value.to_string() }));
    }
    serde_json::to_vec_pretty(&nsd).context("writing the SIPp NSD")
}

/// `json` with every comma that ends an array (`, ]`) blanked: Open Baton's parser, and the
/// NFVO's, accept those, and the thesis's NSD has one; serde_json does not.
fn without_trailing_commas(json: &[u8]) -> Vec<u8> {
    let mut out = json.to_vec();
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b',' {
            let next = json[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
            if next == Some(&b']') {
                out[i] = b' ';
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(&without_trailing_commas(bytes)).unwrap()
    }

    #[test]
    fn only_the_two_parameters_are_added() {
        let original = parse(NSD);
        let mut changed: Value = serde_json::from_slice(&with_calls(10, 30).unwrap()).unwrap();
        let client = changed["vnfd"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|v| v["name"] == CLIENT)
            .unwrap();
        let params = client["configurations"]["configurationParameters"].as_array_mut().unwrap();
        let added: Vec<Value> = params.drain(params.len() - 2..).collect();
        assert_eq!(
            added,
            [
                json!({"confKey": "SIPP_CALLS", "value": "10"}),
                json!({"confKey": "SIPP_TIMEOUT", "value": "30"})
            ]
        );
        assert_eq!(changed, original);
        assert_eq!(original["name"], "docker-test-NS-sipp");
    }

    #[test]
    fn trailing_commas_in_arrays_go_and_strings_stay() {
        assert_eq!(without_trailing_commas(b"[1, 2, ]"), b"[1, 2  ]");
        assert_eq!(without_trailing_commas(br#"{"a": ", ]"}"#), br#"{"a": ", ]"}"#);
        assert_eq!(without_trailing_commas(br#"["\", ]", ]"#), br#"["\", ]"  ]"#);
    }
}
