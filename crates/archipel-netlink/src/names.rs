//! Names the kernel and iproute2 accept, checked before anything is touched.

use crate::error::{NetlinkError, Result};

/// The kernel's IFNAMSIZ minus the terminating NUL.
const MAX_LINK_NAME: usize = 15;

/// A namespace name is a file name under /run/netns.
pub(crate) fn check_netns(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if name == "." || name == ".." {
        "it is not a file name"
    } else if name.contains('/') || name.contains('\0') {
        "it contains '/' or NUL"
    } else if name.len() > 255 {
        "it is longer than 255 bytes"
    } else {
        return Ok(());
    };
    Err(NetlinkError::Invalid { what: "network namespace name", value: name.to_owned(), reason })
}

/// A link name as `ip link` accepts it (the kernel's `dev_valid_name`).
pub(crate) fn check_link(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if name.len() > MAX_LINK_NAME {
        "it is longer than 15 bytes"
    } else if name == "." || name == ".." {
        "it is not a valid device name"
    } else if name.chars().any(|c| c == '/' || c == ':' || c.is_whitespace() || c == '\0') {
        "it contains '/', ':', NUL or whitespace"
    } else {
        return Ok(());
    };
    Err(NetlinkError::Invalid { what: "link name", value: name.to_owned(), reason })
}

/// Checks the namespace of an operation, when it names one: a name under /run/netns, or the
/// absolute path of a namespace file kept elsewhere (a Docker overlay network's namespace
/// under its engine's exec root), as `ip link set … netns PATH` takes one.
pub(crate) fn check_ns(ns: Option<&str>) -> Result<()> {
    match ns {
        Some(path) if path.starts_with('/') => check_netns_path(path),
        ns => ns.map_or(Ok(()), check_netns),
    }
}

/// An absolute path of a namespace file: no `..` and no NUL.
fn check_netns_path(path: &str) -> Result<()> {
    let reason = if path.split('/').any(|part| part == "..") {
        "it holds '..'"
    } else if path.contains('\0') {
        "it contains NUL"
    } else if path.len() > 4096 {
        "it is longer than 4096 bytes"
    } else {
        return Ok(());
    };
    Err(NetlinkError::Invalid { what: "network namespace path", value: path.to_owned(), reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_usual_names() {
        check_netns("site-a.1").unwrap();
        check_link("vx-1234567890ab").unwrap();
    }

    #[test]
    fn refuses_what_the_kernel_refuses() {
        for bad in ["", "..", "a/b"] {
            assert!(check_netns(bad).is_err(), "{bad:?}");
        }
        check_ns(Some("/run/docker/netns/1-0123456789")).unwrap();
        for bad in ["/run/../etc/x", "/a\0b", "a/b"] {
            assert!(check_ns(Some(bad)).is_err(), "{bad:?}");
        }
        for bad in ["", "a b", "a/b", "a:1", "sixteen-chars-xx"] {
            assert!(check_link(bad).is_err(), "{bad:?}");
        }
    }
}
