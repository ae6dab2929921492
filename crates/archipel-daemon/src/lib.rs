//! What every Archipel daemon (popd, the agent, the NFVO) shares, so that each has one home:
//! the SQLite store scaffolding ([`store`]), identifiers and times ([`ids`]), error chains
//! ([`chain`]), the ready line tests and the lab wait for ([`ready`]), the stop signals
//! ([`shutdown_signal`]), the handle each daemon's library returns ([`Daemon`]) and, with the
//! `http` feature, how the REST APIs answer errors ([`problem`]); with `auth`, what logins
//! share ([`auth`]); with `tls`, TLS configurations and serving over TLS ([`tls`]); with `metrics`, the
//! Prometheus registry and its `/metrics` answer ([`metrics`]).

#[cfg(feature = "auth")]
pub mod auth;
mod daemon;
mod error;
pub mod ids;
mod private;
pub mod ready;
mod signal;
pub mod store;

#[cfg(feature = "http")]
mod http;
#[cfg(feature = "metrics")]
pub mod metrics;
#[cfg(feature = "pki")]
pub mod pki;
#[cfg(feature = "http")]
pub mod problem;
#[cfg(feature = "tls")]
pub mod tls;

pub use daemon::{Daemon, Stop};
pub use error::chain;
pub use private::{check_private, owner_only_files, Exposed};
pub use signal::{shutdown_signal, Signal};

#[cfg(feature = "http")]
pub use http::serve_http;
