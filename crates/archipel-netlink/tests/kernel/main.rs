//! Tests against the real kernel: they need root, and FAIL without it. Each test works in
//! network namespaces of its own and removes them, also when it fails.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod common;
mod iptables;
mod link;
mod netns;
mod route;
mod vxlan;
