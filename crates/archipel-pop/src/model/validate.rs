use std::collections::BTreeMap;

use crate::error::PopError;

pub const MAX_NAME_LEN: usize = 128;

/// The largest metadata entry, counted as the environment holds it (`KEY=VALUE` and its NUL):
/// Linux refuses a longer environment string at exec (`MAX_ARG_STRLEN`, 128 KiB).
pub const MAX_METADATA_ENTRY_BYTES: usize = 128 * 1024;
/// The largest metadata of one container, its entries counted as above: well under Linux's
/// `ARG_MAX` (2 MiB by default, shared with the arguments), and small enough that a list of
/// many containers still fits a client's reply.
pub const MAX_METADATA_BYTES: usize = 256 * 1024;

/// The bytes `key` and `value` take in a workload's environment.
pub fn metadata_entry_bytes(key: &str, value: &str) -> usize {
    key.len() + value.len() + 2
}

/// The bytes the whole metadata takes in a workload's environment.
pub fn metadata_bytes(entries: &BTreeMap<String, String>) -> usize {
    entries.iter().map(|(k, v)| metadata_entry_bytes(k, v)).sum()
}

/// A container or network name as Docker accepts it: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most 128
/// characters. `what` names the object in the error ("container", "network").
pub fn validate_name(what: &'static str, name: &str) -> Result<(), PopError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if name.is_empty() {
        return Err(PopError::NameRequired { what });
    }
    if !first_ok || !rest_ok || name.len() > MAX_NAME_LEN {
        return Err(PopError::InvalidName { what, name: name.to_owned() });
    }
    Ok(())
}

/// Metadata becomes the workload's environment: a key must be a valid environment variable name
/// (`[A-Za-z_][A-Za-z0-9_]*`), a value must hold no NUL and no newline, and an entry must fit
/// [`MAX_METADATA_ENTRY_BYTES`]. An empty value is fine (it deletes the key).
pub fn validate_metadata(entries: &BTreeMap<String, String>) -> Result<(), PopError> {
    for (key, value) in entries {
        let mut chars = key.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(PopError::InvalidMetadataKey { key: key.clone() });
        }
        if value.contains('\0') || value.contains('\n') {
            return Err(PopError::InvalidMetadataValue { key: key.clone() });
        }
        let bytes = metadata_entry_bytes(key, value);
        if bytes > MAX_METADATA_ENTRY_BYTES {
            return Err(PopError::MetadataEntryTooLarge {
                key: key.clone(),
                bytes,
                limit: MAX_METADATA_ENTRY_BYTES,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn names() {
        for ok in ["a", "sipp-server_1.x", "0abc"] {
            validate_name("container", ok).unwrap();
        }
        for bad in ["", "-a", ".a", "a b", "a/b", "é", &"a".repeat(129)] {
            assert!(matches!(
                validate_name("container", bad),
                Err(PopError::NameRequired { .. } | PopError::InvalidName { .. })
            ));
        }
    }

    #[test]
    fn metadata_rules_name_the_key() {
        validate_metadata(&md(&[("SERVER_IP", "10.0.0.2"), ("_x1", ""), ("A", "a b=c")])).unwrap();
        for (key, value) in [("1A", "x"), ("A-B", "x"), ("", "x"), ("A B", "x")] {
            let err = validate_metadata(&md(&[(key, value)])).unwrap_err();
            assert!(matches!(&err, PopError::InvalidMetadataKey { .. }
                    if err.to_string().contains(&format!("{key:?}"))));
        }
        for value in ["a\nb", "a\0b"] {
            let err = validate_metadata(&md(&[("KEY", value)])).unwrap_err();
            assert!(
                matches!(&err, PopError::InvalidMetadataValue { .. } if err.to_string().contains("KEY"))
            );
        }
        let fits = "v".repeat(MAX_METADATA_ENTRY_BYTES - "KEY".len() - 2);
        validate_metadata(&md(&[("KEY", &fits)])).unwrap();
        let over = format!("{fits}v");
        let err = validate_metadata(&md(&[("KEY", &over)])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata key KEY: the entry takes 131073 bytes in the environment (KEY=VALUE), over \
             the limit of 131072 bytes per entry"
        );
    }
}
