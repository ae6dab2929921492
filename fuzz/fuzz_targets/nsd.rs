//! The NSD parser (`archipel_nsd::parse_nsd`, what onboarding runs on a descriptor): any bytes
//! give an NSD or an error, never a panic; an accepted NSD's warnings and dependency order
//! are computed without one either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(nsd) = archipel_nsd::parse_nsd(data) {
        let _ = archipel_nsd::warnings(data);
        let _ = nsd.check_acyclic();
    }
});
