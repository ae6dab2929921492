//! The Archipel orchestrator: the NSD catalogue, the network-service lifecycle engine, the
//! generic VNFM and the REST API.
//!
//! The core is [`Nfvo`]: it takes typed commands and returns domain records, and reaches the
//! sites through the [`vim::Vim`] trait. The REST edge ([`api`]) converts HTTP requests into
//! those commands; [`client`] is the typed client of that API.

pub mod api;
pub use archipel_nsd as catalogue;
pub mod client;
pub mod engine;
pub mod error;
pub mod events;
pub mod ids;
pub mod metrics;
pub mod model;
pub mod package;
pub mod store;
pub mod vim;

pub use engine::{Nfvo, NfvoConfig};
pub use error::NfvoError;
pub use ipnet::Ipv4Net;
