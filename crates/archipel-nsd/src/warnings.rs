//! Fields of a descriptor that Archipel accepts but does not act on, reported with their paths
//! on onboarding, so that an NSD written for Open Baton does not silently lose what its author
//! meant (a lifecycle script, a scaling policy).

use serde_json::Value;

use super::lenient;
use super::path::Path;

/// The Open Baton fields that ask for behaviour, and what Archipel does instead.
const NOT_ACTED_ON: &[(&str, &str)] = &[
    (
        "lifecycle_event",
        "no lifecycle scripts run unless vnfPackageLocation names an uploaded VNF package or a \
         local path (a URL is not fetched): the image configures itself from its environment",
    ),
    ("auto_scale_policy", "nothing scales by itself: scale with `ns scale`"),
    ("monitoring_parameter", "no monitoring parameters are collected"),
    ("high_availability", "no redundancy is arranged"),
    ("fault_management_policy", "no fault management policy is applied"),
    ("vdu_constraint", "no placement constraint is applied"),
    ("vnffgd", "no forwarding graphs are set up"),
    ("pnfd", "no physical network functions are handled"),
    ("qos", "no quality of service is set on virtual links"),
    ("poolName", "addresses come from the NFVO's subnet pool, not a named VIM pool"),
    ("dns", "no DNS servers are set in the containers"),
    ("nfvo_version", "the descriptor is read the same whatever NFVO version it names"),
];

/// A field Archipel does not act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where it is, as errors name places (`vnfd[0].lifecycle_event`).
    pub path: String,
    pub field: &'static str,
    /// What Archipel does instead.
    pub reason: &'static str,
}

/// The fields of `json`, an NSD [`super::parse_nsd`] accepts, that ask for something Archipel
/// does not do; empty ones (null, `[]`, `{}`, `""`) ask for nothing and are not reported.
pub fn warnings(json: &[u8]) -> Vec<Warning> {
    let json = json.strip_prefix(super::UTF8_BOM).unwrap_or(json);
    let json = lenient::blank_trailing_array_commas(json);
    let Ok(document) = serde_json::from_slice::<Value>(&json) else { return Vec::new() };
    let mut found = Vec::new();
    walk(&document, &Path::root(), &mut found);
    found
}

fn walk(value: &Value, path: &Path, found: &mut Vec<Warning>) {
    match value {
        Value::Object(fields) => {
            // A VNFD with a package runs its events' scripts.
            let packaged = fields
                .get("vnfPackageLocation")
                .and_then(Value::as_str)
                .is_some_and(super::convert::is_package);
            for (name, value) in fields {
                if packaged && name == "lifecycle_event" {
                    continue;
                }
                // Free-form maps: their keys are the author's, not Open Baton's.
                if name == "metadata" || name == "configurationParameters" {
                    continue;
                }
                let at = path.field(name);
                match NOT_ACTED_ON.iter().find(|(field, _)| field == name) {
                    Some(&(field, reason)) if !is_empty(value) => {
                        found.push(Warning { path: at.into(), field, reason });
                    }
                    Some(_) => {}
                    None => walk(value, &at, found),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(item, &path.index(index), found);
            }
        }
        _ => {}
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
        Value::String(text) => text.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::warnings;

    #[test]
    fn fields_not_acted_on_are_found_with_their_paths_and_empty_ones_are_not() {
        let json = br#"{"name": "x", "monitoring_parameter": [],
            "vnfd": [{"lifecycle_event": [{"event": "START", "provides": ["a"]},],
                      "metadata": {"provides": "mine"}},
                     {"auto_scale_policy": [{"name": "p"}], "provides": null},
                     {"lifecycle_event": [{"event": "START"}], "vnfPackageLocation": "p"},
                     {"lifecycle_event": [{"event": "START"}], "vnfPackageLocation": "https://x"}]}"#;
        let found: Vec<(String, &str)> =
            warnings(json).into_iter().map(|w| (w.path, w.field)).collect();
        assert_eq!(
            found,
            [
                ("vnfd[0].lifecycle_event".to_owned(), "lifecycle_event"),
                ("vnfd[1].auto_scale_policy".to_owned(), "auto_scale_policy"),
                ("vnfd[3].lifecycle_event".to_owned(), "lifecycle_event"),
            ]
        );
    }
}
