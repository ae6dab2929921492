//! Whether this process may do what the native runtime does: create network namespaces
//! (CAP_SYS_ADMIN, which root has) and links in them (CAP_NET_ADMIN).

use super::error::NativeError;

const CAP_NET_ADMIN: u32 = 12;
const CAP_SYS_ADMIN: u32 = 21;

/// Reads the effective capabilities of this process (`CapEff` of /proc/self/status).
pub(super) fn check() -> Result<(), NativeError> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(NativeError::io("read", "/proc/self/status"))?;
    let effective =
        status.lines().find_map(|line| line.strip_prefix("CapEff:")).map(str::trim).unwrap_or("0");
    check_effective(effective)
}

/// Checks a `CapEff` value (hex).
fn check_effective(effective: &str) -> Result<(), NativeError> {
    let caps = u64::from_str_radix(effective, 16).unwrap_or(0);
    let missing = match (caps >> CAP_NET_ADMIN & 1 == 1, caps >> CAP_SYS_ADMIN & 1 == 1) {
        (true, true) => return Ok(()),
        (false, false) => "cap_net_admin and cap_sys_admin",
        (false, true) => "cap_net_admin",
        (true, false) => "cap_sys_admin",
    };
    Err(NativeError::Privileges { effective: format!("0x{caps:x}"), missing })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_passes_and_an_ordinary_user_does_not() {
        check_effective("000001ffffffffff").unwrap();
        check_effective("0000000000201000").unwrap();
        let err = check_effective("0000000000000000").unwrap_err();
        assert_eq!(
            err.to_string(),
            "this process's effective capabilities (0x0) lack cap_net_admin and cap_sys_admin"
        );
        let err = check_effective("0000000000001000").unwrap_err();
        assert!(err.to_string().ends_with("lack cap_sys_admin"), "{err}");
    }
}
