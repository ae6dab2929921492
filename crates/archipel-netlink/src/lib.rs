//! Archipel's access to the Linux kernel's networking: network namespaces, bridges, veth pairs,
//! VXLAN devices and their flood entries, addresses, routes and MTU, behind the small
//! [`Netlink`] trait.
//!
//! Archipel's own iptables chains are behind the [`iptables::Firewall`] trait.
//!
//! [`RtNetlink`] is the real implementation (rtnetlink; root or CAP_NET_ADMIN), `FakeNetlink` (feature
//! `testing`) a recording in-memory one for the tests of the crates that use this one. Namespaces are
//! those of `ip netns` (`/run/netns/NAME`), so `ip -n NAME …` shows what this crate does.

mod address;
mod conn;
mod error;
#[cfg(any(test, feature = "testing"))]
mod fake;
mod fdb;
mod firewall;
pub mod iptables;
mod link;
mod names;
mod netlink;
mod netns;
mod route;
mod rt;
mod sysctl;
mod types;
mod veth;
mod vxlan;

pub use error::{NetlinkError, Result};
#[cfg(any(test, feature = "testing"))]
pub use fake::FakeNetlink;
pub use netlink::Netlink;
pub use netns::{in_netns, in_netns_async, netns_path, NETNS_DIR};
pub use rt::RtNetlink;
pub use types::{Address, LinkInfo, LinkKind, LinkStats, MacAddr, Route, VxlanConfig, VXLAN_PORT};
