//! The inter-site agent of Archipel, after DIMINET: it extends a site's network to other sites at
//! layer 2 (one subnet, a VXLAN between the sites' bridges, disjoint allocation pools) and routes
//! between the networks of several sites at layer 3 (a transit segment and routes).
//!
//! [`Agent`] is the logic core; it reaches its own site's networks through [`SiteVim`] (its
//! popd), its own data plane through [`archipel_netlink::Netlink`], and the other agents through
//! [`Peers`]. [`api`] serves the North (`/intersite-vertical`, `/intersite-site`) and
//! East-West (`/intersite-horizontal`) interfaces over HTTP; [`Setup`] assembles a real agent and
//! [`NorthClient`] calls one.

pub mod api;
mod client;
mod core;
mod dataplane;
mod error;
mod guard;
mod model;
mod peers;
mod setup;
mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod vim;
pub mod wireguard;

pub use crate::core::{Agent, AgentConfig, Traffic, DEFAULT_CONVERGE_INTERVAL};
pub use client::{NorthClient, NorthError, NORTH_TIMEOUT};
pub use dataplane::{
    tunnel_mtu, Layer, VXLAN_OVERHEAD, WIREGUARD_IPV4_OVERHEAD, WIREGUARD_IPV6_OVERHEAD,
};
pub use error::AgentError;
pub use model::{
    CidrInfo, Connection, CreateRequest, DeleteReply, FreeReply, JoinRequest, KeyOffer, Params,
    PoolGrant, Resource, ResourceRef, Revisions, RevisionsReply, Service, ServiceType, SiteInfo,
    UpdateReply, UpdateRequest, VniReservation,
};
pub use peers::{HttpPeers, PeerLink, Peers, PeersError, DEFAULT_TIMEOUT, KEY_HEADER, SITE_HEADER};
pub use setup::{generate_token, Setup};
pub use store::{Store, StoreError};
pub use vim::{NetworkSpec, PopVim, SiteNetwork, SiteVim, VimError};
