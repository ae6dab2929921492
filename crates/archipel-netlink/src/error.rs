use std::io;

use crate::types::LinkKind;

/// Result of every operation of this crate.
pub type Result<T, E = NetlinkError> = std::result::Result<T, E>;

/// What can go wrong while configuring the kernel's networking.
///
/// `op` fields hold the `ip`/`bridge` command the failed step equals, so a message can be
/// replayed by hand.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetlinkError {
    #[error(
        "`{op}` was refused: this needs root or CAP_NET_ADMIN (and CAP_SYS_ADMIN for namespaces)"
    )]
    PermissionDenied {
        op: String,
        #[source]
        source: io::Error,
    },
    #[error("network namespace {name} does not exist")]
    NetnsNotFound { name: String },
    #[error("link {link} does not exist in {ns}")]
    LinkNotFound { ns: String, link: String },
    #[error("link {link} in {ns} is a {found} device, expected a {expected} device")]
    KindMismatch { ns: String, link: String, expected: LinkKind, found: LinkKind },
    #[error("invalid {what} {value:?}: {reason}")]
    Invalid { what: &'static str, value: String, reason: &'static str },
    #[error("`{op}` failed")]
    Kernel {
        op: String,
        #[source]
        source: io::Error,
    },
    #[error("`{op}` failed")]
    Netlink {
        op: String,
        #[source]
        source: rtnetlink::Error,
    },
    #[error("the thread working in {ns} panicked")]
    ThreadPanicked { ns: String },
}

impl NetlinkError {
    /// A failed system call or netlink request, told apart when it lacks privileges.
    pub(crate) fn os(op: impl Into<String>, source: io::Error) -> Self {
        let op = op.into();
        if matches!(source.raw_os_error(), Some(libc::EPERM | libc::EACCES)) {
            Self::PermissionDenied { op, source }
        } else {
            Self::Kernel { op, source }
        }
    }

    /// A failed rtnetlink request; kernel refusals become [`NetlinkError::Kernel`] with the errno.
    pub(crate) fn rtnl(op: impl Into<String>, source: rtnetlink::Error) -> Self {
        match source {
            rtnetlink::Error::NetlinkError(msg) => Self::os(op, msg.to_io()),
            source => Self::Netlink { op: op.into(), source },
        }
    }
}

/// The errno a kernel refusal carries, if the error is one.
pub(crate) fn errno(err: &rtnetlink::Error) -> Option<i32> {
    match err {
        rtnetlink::Error::NetlinkError(msg) => Some(msg.raw_code().abs()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eperm_names_the_missing_privilege() {
        let err = NetlinkError::os("ip link add br0 type bridge", io::Error::from_raw_os_error(1));
        assert!(matches!(err, NetlinkError::PermissionDenied { .. }));
        assert!(err.to_string().contains("root or CAP_NET_ADMIN"), "{err}");
    }

    #[test]
    fn other_errno_is_a_kernel_error_with_its_source() {
        let err = NetlinkError::os("ip link del x", io::Error::from_raw_os_error(libc::EBUSY));
        assert!(matches!(err, NetlinkError::Kernel { .. }));
        assert!(std::error::Error::source(&err).is_some());
    }
}
