use std::net::Ipv4Addr;

use archipel_ipam::Pool;
use ipnet::Ipv4Net;

use super::PopContainer;

/// Which object a call is about: by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Id(String),
    Name(String),
}

/// One endpoint asked for at Create: a network (by name, or by id) and maybe an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRequest {
    pub network: String,
    /// None: the lowest free address of the network's pools.
    pub address: Option<Ipv4Addr>,
}

/// A container to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateContainer {
    pub name: String,
    pub image: String,
    /// Empty: the only flavour.
    pub flavour: String,
    /// Empty: one endpoint on the default network.
    pub endpoints: Vec<EndpointRequest>,
}

/// A network to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateNetwork {
    pub name: String,
    pub subnet: Ipv4Net,
    /// None: the subnet's first host.
    pub gateway: Option<Ipv4Addr>,
    /// Empty: every host address but the gateway.
    pub pools: Vec<Pool>,
    /// None: the runtime's default.
    pub mtu: Option<u32>,
}

/// Changes to a network.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateNetwork {
    /// Some: replace the pools (an empty list means every host address but the gateway).
    pub pools: Option<Vec<Pool>>,
    /// Some: set the MTU.
    pub mtu: Option<u32>,
}

/// A flavour, as the protocol lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flavour {
    pub id: String,
    pub name: String,
}

/// What Info answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopInfo {
    pub kind: String,
    pub name: String,
    pub timestamp: i64,
}

/// A container changed; `deleted` when it no longer exists (the record is its last state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerChange {
    pub container: PopContainer,
    pub deleted: bool,
    /// Unix seconds.
    pub at: i64,
}

impl Selector {
    pub fn describe(&self) -> String {
        match self {
            Selector::Id(id) => format!("id {id}"),
            Selector::Name(name) => format!("name {name}"),
        }
    }
}
