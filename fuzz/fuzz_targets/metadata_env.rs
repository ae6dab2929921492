//! Metadata to the workload's environment (`validate_metadata`, then `KEY=VALUE` as popd hands
//! it to Docker or to the native runtime's exec): entries that pass validation must make
//! environment strings that exec takes: no NUL, a key without `=`, within Linux's
//! `MAX_ARG_STRLEN`.
#![no_main]

use std::collections::BTreeMap;
use std::ffi::CString;

use archipel_pop::model::{metadata_bytes, validate_metadata, MAX_METADATA_ENTRY_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|entries: Vec<(String, String)>| {
    let metadata: BTreeMap<String, String> = entries.into_iter().collect();
    if validate_metadata(&metadata).is_err() {
        return;
    }
    for (key, value) in &metadata {
        assert!(!key.is_empty() && !key.contains('='), "key {key:?} passed");
        let entry = CString::new(format!("{key}={value}")).expect("no NUL in a valid entry");
        assert!(entry.as_bytes_with_nul().len() <= MAX_METADATA_ENTRY_BYTES, "{key} too large");
    }
    let counted: usize = metadata.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    assert_eq!(metadata_bytes(&metadata), counted);
});
