//! A strict reader of the Prometheus text format (and its OpenMetrics form, which ends with
//! `# EOF`), so that the daemons' `/metrics` answers are checked the way a scraper reads them.

use std::collections::BTreeMap;

/// The samples of `text`, `name{labels}` -> value, with the labels as written; panics naming
/// the first line a scraper would refuse: a comment other than HELP, TYPE, UNIT and the final
/// EOF, a TYPE not among Prometheus's, a metric or label name outside `[a-zA-Z_:][a-zA-Z0-9_:]*`,
/// an unquoted label value, a value that is not a number, or a repeated sample.
pub fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    let mut ended = false;
    for line in text.lines() {
        assert!(!ended, "a line after # EOF: {line}");
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("EOF"), None, None) => ended = true,
                (Some("HELP" | "UNIT"), Some(name), _) => assert!(is_name(name), "{line}"),
                (Some("TYPE"), Some(name), Some(kind)) => {
                    assert!(is_name(name), "{line}");
                    let kinds = [
                        "counter",
                        "gauge",
                        "histogram",
                        "summary",
                        "untyped",
                        "info",
                        "stateset",
                        "unknown",
                        "gaugehistogram",
                    ];
                    assert!(kinds.contains(&kind), "{line}");
                }
                _ => panic!("not a HELP, TYPE, UNIT or EOF line: {line}"),
            }
            continue;
        }
        assert!(!line.is_empty(), "an empty line in the metrics");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
        };
        let name = series.split('{').next().unwrap_or_default();
        assert!(is_name(name), "bad metric name: {line}");
        if let Some(labels) = series.strip_prefix(name).filter(|l| !l.is_empty()) {
            let inner = labels
                .strip_prefix('{')
                .and_then(|l| l.strip_suffix('}'))
                .unwrap_or_else(|| panic!("bad labels: {line}"));
            for pair in split_labels(inner) {
                let (key, value) =
                    pair.split_once('=').unwrap_or_else(|| panic!("bad label: {line}"));
                assert!(is_name(key), "bad label name: {line}");
                assert!(
                    value.len() >= 2 && value.starts_with('"') && value.ends_with('"'),
                    "{line}"
                );
            }
        }
        assert!(samples.insert(series.to_owned(), value).is_none(), "a repeated sample: {line}");
    }
    samples
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `a="x",b="y,z"` split at the commas outside quotes.
fn split_labels(labels: &str) -> Vec<&str> {
    let (mut pairs, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (at, c) in labels.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                pairs.push(&labels[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    if start < labels.len() {
        pairs.push(&labels[start..]);
    }
    pairs
}
