//! popd: the Pop VIM of one site. It owns the site's containers, networks and addresses, keeps
//! them in SQLite so that they survive a restart, drives a [`runtime::Runtime`] below, and
//! serves the Pop gRPC protocol above.
//!
//! The core ([`registry::Pop`]) works on domain types only ([`model`]); the gRPC edge
//! ([`grpc`]) converts protocol messages at the boundary.

pub mod auth;
pub mod config;
mod disk;
pub mod error;
pub mod grpc;
pub mod metrics;
pub mod model;
pub mod provider;
pub mod reconcile;
pub mod registry;
pub mod runtime;
pub mod server;
pub mod store;

pub use config::{ConfigFile, LoginThrottle, PoolProviderConfig, PopdConfig, RuntimeKind};
pub use error::PopError;
pub use provider::{HttpPoolProvider, PoolProvider, ProviderError};
pub use registry::{Pop, PopSettings};
pub use server::{start, PopdHandle};
