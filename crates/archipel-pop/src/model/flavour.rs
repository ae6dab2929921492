//! Flavours: the resource limits a container runs under. The thesis's `docker.container` means
//! no limit; an operator defines more (`--flavour`, or `[[flavours]]` in the configuration file).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::validate::validate_name;
use super::{FLAVOUR_ID, FLAVOUR_NAME};
use crate::error::PopError;

/// The most flavours one popd defines.
pub const MAX_FLAVOURS: usize = 64;
/// The least memory a flavour may give: less than this and a shell cannot start.
const MIN_MEMORY_BYTES: u64 = 4 * 1024 * 1024;

/// What a container may use; None: no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Memory, in bytes (swap included: none beyond it).
    pub memory_bytes: Option<u64>,
    /// CPU time, in thousandths of a CPU (500: half of one).
    pub cpu_millis: Option<u64>,
    /// Processes and threads.
    pub pids: Option<u64>,
}

impl Limits {
    pub fn is_unlimited(&self) -> bool {
        *self == Self::default()
    }
}

/// A flavour an operator defined: its name (also its id) and its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlavourSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids: Option<u64>,
}

/// A flavour that cannot be defined.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlavourError {
    #[error("flavour {0:?} is not NAME:KEY=VALUE[,KEY=VALUE…] (keys: memory, cpus, pids)")]
    Syntax(String),
    #[error("flavour {flavour}: {key}={value:?} is not {expected}")]
    Value { flavour: String, key: String, value: String, expected: &'static str },
    #[error("flavour {flavour}: unknown limit {key:?} (memory, cpus or pids)")]
    Key { flavour: String, key: String },
    #[error("flavour name {0:?} is not valid: letters, digits, '.', '_' and '-', at most 64")]
    Name(String),
    #[error("flavour {0} is defined twice, or is the built-in docker.container")]
    Twice(String),
    #[error("more than {MAX_FLAVOURS} flavours")]
    TooMany,
}

impl FromStr for FlavourSpec {
    type Err = FlavourError;

    /// `small:memory=64M,cpus=0.5,pids=100`; memory takes K, M or G (powers of 1024).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, limits) =
            text.split_once(':').ok_or_else(|| FlavourError::Syntax(text.into()))?;
        let mut spec =
            Self { name: name.to_owned(), memory_bytes: None, cpu_millis: None, pids: None };
        for pair in limits.split(',').filter(|p| !p.is_empty()) {
            let (key, value) =
                pair.split_once('=').ok_or_else(|| FlavourError::Syntax(text.into()))?;
            let bad = |expected| FlavourError::Value {
                flavour: name.to_owned(),
                key: key.to_owned(),
                value: value.to_owned(),
                expected,
            };
            match key {
                "memory" => {
                    spec.memory_bytes =
                        Some(bytes(value).ok_or_else(|| bad("a size like 64M or 1G"))?);
                }
                "cpus" => {
                    spec.cpu_millis =
                        Some(millis(value).ok_or_else(|| {
                            bad("a number of CPUs like 0.5 (at most 3 decimals)")
                        })?);
                }
                "pids" => {
                    let pids = value.parse().ok().filter(|n| *n > 0);
                    spec.pids = Some(pids.ok_or_else(|| bad("a positive count"))?);
                }
                other => return Err(FlavourError::Key { flavour: name.into(), key: other.into() }),
            }
        }
        spec.check()?;
        Ok(spec)
    }
}

impl FlavourSpec {
    pub fn limits(&self) -> Limits {
        Limits { memory_bytes: self.memory_bytes, cpu_millis: self.cpu_millis, pids: self.pids }
    }

    /// Checks what the file or the flag gave.
    pub fn check(&self) -> Result<(), FlavourError> {
        validate_name("flavour", &self.name).map_err(|_| FlavourError::Name(self.name.clone()))?;
        let bad = |key: &str, value: u64, expected| FlavourError::Value {
            flavour: self.name.clone(),
            key: key.into(),
            value: value.to_string(),
            expected,
        };
        if let Some(m) = self.memory_bytes.filter(|m| *m < MIN_MEMORY_BYTES) {
            return Err(bad("memory", m, "at least 4M"));
        }
        if let Some(c) = self.cpu_millis.filter(|c| *c == 0) {
            return Err(bad("cpus", c, "more than 0"));
        }
        if let Some(p) = self.pids.filter(|p| *p == 0) {
            return Err(bad("pids", p, "more than 0"));
        }
        Ok(())
    }
}

impl fmt::Display for FlavourSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.name)?;
        let mut parts = Vec::new();
        if let Some(m) = self.memory_bytes {
            parts.push(format!("memory={}K", m / 1024));
        }
        if let Some(c) = self.cpu_millis {
            let fraction = format!("{:03}", c % 1000);
            let fraction = fraction.trim_end_matches('0');
            let dot = if fraction.is_empty() { "" } else { "." };
            parts.push(format!("cpus={}{dot}{fraction}", c / 1000));
        }
        if let Some(p) = self.pids {
            parts.push(format!("pids={p}"));
        }
        f.write_str(&parts.join(","))
    }
}

/// Checks a set of flavours: each valid, no name twice, not the built-in one, not too many.
pub fn check_flavours(flavours: &[FlavourSpec]) -> Result<(), FlavourError> {
    if flavours.len() > MAX_FLAVOURS {
        return Err(FlavourError::TooMany);
    }
    let mut seen = std::collections::HashSet::new();
    for f in flavours {
        f.check()?;
        if f.name == FLAVOUR_ID || f.name == FLAVOUR_NAME || !seen.insert(f.name.as_str()) {
            return Err(FlavourError::Twice(f.name.clone()));
        }
    }
    Ok(())
}

/// The flavour a Create names (by id or name; empty: the built-in one): its id and limits.
pub fn resolve_flavour(
    flavours: &[FlavourSpec],
    wanted: &str,
) -> Result<(String, Limits), PopError> {
    match wanted {
        "" | FLAVOUR_ID | FLAVOUR_NAME => Ok((FLAVOUR_ID.to_owned(), Limits::default())),
        other => flavours
            .iter()
            .find(|f| f.name == other)
            .map(|f| (f.name.clone(), f.limits()))
            .ok_or_else(|| PopError::UnknownFlavour { flavour: other.to_owned() }),
    }
}

fn bytes(text: &str) -> Option<u64> {
    let text = text.trim_end_matches(['B', 'i']);
    let (digits, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_uppercase()),
        _ => (text, ' '),
    };
    let shift = match unit {
        ' ' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// A decimal number of CPUs with at most three decimals, in thousandths.
fn millis(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    if fraction.len() > 3 || whole.len() > 4 {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let fraction: u64 = format!("{fraction:0<3}").parse().ok()?;
    Some(whole * 1000 + fraction).filter(|m| *m > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_as_operators_write_them() {
        let small: FlavourSpec = "small:memory=64M,cpus=0.5,pids=100".parse().unwrap();
        assert_eq!(small.name, "small");
        assert_eq!(small.memory_bytes, Some(64 << 20));
        assert_eq!(small.cpu_millis, Some(500));
        assert_eq!(small.pids, Some(100));
        assert_eq!(small.to_string(), "small:memory=65536K,cpus=0.5,pids=100");
        let big: FlavourSpec = "big:memory=2GiB,cpus=2".parse().unwrap();
        assert_eq!(big.cpu_millis, Some(2000));
        assert_eq!(big.to_string(), "big:memory=2097152K,cpus=2");
        assert_eq!(big.memory_bytes, Some(2 << 30));
        assert!("none:".parse::<FlavourSpec>().unwrap().limits().is_unlimited());
    }

    #[test]
    fn bad_flavours_say_what_is_wrong() {
        let cases = [
            ("small", "is not NAME:KEY=VALUE"),
            ("small:memory=lots", "memory=\"lots\" is not a size"),
            ("small:memory=1M", "at least 4M"),
            ("small:cpus=-1", "cpus=\"-1\" is not a number of CPUs"),
            ("small:cpus=0.0001", "cpus=\"0.0001\" is not a number of CPUs"),
            ("small:pids=0", "pids=\"0\" is not a positive count"),
            ("small:disk=1G", "unknown limit \"disk\""),
            ("bad name:pids=1", "flavour name \"bad name\""),
        ];
        for (text, expected) in cases {
            let err = text.parse::<FlavourSpec>().unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
        let twice: Vec<FlavourSpec> =
            vec!["a:pids=1".parse().unwrap(), "a:pids=2".parse().unwrap()];
        assert_eq!(check_flavours(&twice), Err(FlavourError::Twice("a".into())));
        let builtin = vec!["docker.container:pids=1".parse().unwrap()];
        assert!(check_flavours(&builtin).is_err());
    }

    #[test]
    fn a_create_finds_its_flavour_by_name() {
        let flavours = vec!["small:memory=64M".parse().unwrap()];
        assert_eq!(resolve_flavour(&flavours, "").unwrap().0, FLAVOUR_ID);
        assert!(resolve_flavour(&flavours, FLAVOUR_NAME).unwrap().1.is_unlimited());
        assert_eq!(resolve_flavour(&flavours, "small").unwrap().1.memory_bytes, Some(64 << 20));
        assert!(matches!(resolve_flavour(&flavours, "huge"), Err(PopError::UnknownFlavour { .. })));
    }
}
