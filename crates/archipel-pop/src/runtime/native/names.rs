//! The Linux names the native runtime gives what it creates: deterministic, so a restarted popd
//! computes the same ones, and recognisable, so it only ever removes its own.
//!
//! | object | name | length |
//! | --- | --- | --- |
//! | bridge of a network | `apb` + 12 hex of sha256(instance NUL network) | 15 |
//! | network namespace of a container | `apc` + the owner tag + 12 hex of sha256(owner tag NUL pop id) | 23 |
//! | host end of a container's veth | `apv` + 11 hex of sha256(namespace) + the endpoint's index (1 hex) | 15 |
//! | container end of that veth | `eth` + the endpoint's index | ≤ 5 |
//!
//! The owner tag ([`owner_tag`], 8 hex) is sha256 of the instance and the state directory: the
//! runtime removes namespaces of its tag that no record explains (killing what runs in them), so
//! two popds on one host never take each other's, even under one instance name. Link names stop
//! at 15 bytes (the kernel's IFNAMSIZ), so veths are found from their namespace's name.

use std::path::Path;

use sha2::{Digest, Sha256};

/// Prefix of every container namespace of every instance.
const NETNS_PREFIX: &str = "apc";
/// At most 16 endpoints per container: the index is one hex digit of the veth's name.
pub(super) const MAX_ENDPOINTS: usize = 16;

/// The first `len` hex digits of sha256 over `parts` joined by NUL.
fn digest(parts: &[&str], len: usize) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update([0]);
        }
        hasher.update(part.as_bytes());
    }
    let mut hex = hex::encode(hasher.finalize());
    hex.truncate(len);
    hex
}

/// 8 hex digits naming the popd instance on `state_dir` (made absolute by the caller) inside
/// its namespaces' names.
pub(super) fn owner_tag(instance: &str, state_dir: &Path) -> String {
    digest(&[instance, &state_dir.to_string_lossy()], 8)
}

/// The start of the name of every container namespace of the owner `tag`.
pub(super) fn netns_prefix(tag: &str) -> String {
    format!("{NETNS_PREFIX}{tag}")
}

/// The bridge of the network `network`.
pub(super) fn bridge(instance: &str, network: &str) -> String {
    format!("apb{}", digest(&[instance, network], 12))
}

/// The network namespace of the Pop container `pop_id` of the owner `tag`; also the workload's
/// runtime id.
pub(super) fn netns(tag: &str, pop_id: &str) -> String {
    format!("{}{}", netns_prefix(tag), digest(&[tag, pop_id], 12))
}

/// The start of the name of every host-side veth of the container in `netns`.
pub(super) fn veth_prefix(netns: &str) -> String {
    format!("apv{}", digest(&[netns], 11))
}

/// The host end of endpoint `index` (below [`MAX_ENDPOINTS`]) of the container in `netns`.
pub(super) fn host_veth(netns: &str, index: usize) -> String {
    format!("{}{index:x}", veth_prefix(netns))
}

/// The container end of endpoint `index`.
pub(super) fn container_iface(index: usize) -> String {
    format!("eth{index}")
}

/// Whether `netns` is a container namespace of the owner `tag`.
pub(super) fn is_own_netns(tag: &str, netns: &str) -> bool {
    let prefix = netns_prefix(tag);
    netns.len() == prefix.len() + 12
        && netns.starts_with(&prefix)
        && netns[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_names_fit_the_kernel() {
        let ns = netns("0123abcd", "pop-1");
        assert_eq!(bridge("site-a", "private").len(), 15);
        assert_eq!(host_veth(&ns, 0).len(), 15);
        assert_eq!(host_veth(&ns, MAX_ENDPOINTS - 1).len(), 15);
        assert!(host_veth(&ns, 15).ends_with('f'));
        assert_eq!(container_iface(3), "eth3");
    }

    #[test]
    fn names_are_stable_and_depend_on_the_owner() {
        let a = owner_tag("site-a", Path::new("/var/lib/a"));
        assert_eq!(a, owner_tag("site-a", Path::new("/var/lib/a")));
        assert_ne!(a, owner_tag("site-a", Path::new("/var/lib/b")));
        assert_ne!(a, owner_tag("site-b", Path::new("/var/lib/a")));
        assert_eq!(netns(&a, "pop-1"), netns(&a, "pop-1"));
        assert_ne!(netns(&a, "pop-1"), netns(&a, "pop-2"));
        assert_ne!(bridge("site-a", "n"), bridge("site-b", "n"));
        // Fixed forever: a restarted popd must find what an older one made.
        assert_eq!(a, "af7d5ef1");
        assert_eq!(netns(&a, "b").len(), 23);
    }

    #[test]
    fn recognises_only_its_own_namespaces() {
        let own = netns("0123abcd", "pop-1");
        assert!(is_own_netns("0123abcd", &own));
        assert!(!is_own_netns("0123abce", &own));
        assert!(!is_own_netns("0123abcd", &format!("{own}x")));
        assert!(!is_own_netns("0123abcd", &netns_prefix("0123abcd")));
        assert!(!is_own_netns("0123abcd", "apc-something-else"));
    }
}
