use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use archipel_ipam::Pool;
use ipnet::Ipv4Net;

use super::{validate_metadata, PopContainer};
use crate::error::PopError;

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

/// A command to run inside a running container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecCommand {
    pub argv: Vec<String>,
    /// Added to the container's environment for this command.
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
}

impl ExecCommand {
    /// The most arguments, and the largest argument, a command may have.
    pub const MAX_ARGS: usize = 64;
    pub const MAX_ARG_BYTES: usize = 4096;
    /// The deadline when none is given, and the longest one.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);

    /// Checks the command's shape: 1 to [`Self::MAX_ARGS`] arguments of at most
    /// [`Self::MAX_ARG_BYTES`] with no NUL, variables as metadata is checked, a deadline of at
    /// most [`Self::MAX_TIMEOUT`].
    pub fn new(
        argv: Vec<String>,
        env: BTreeMap<String, String>,
        timeout: Option<Duration>,
    ) -> Result<Self, PopError> {
        let invalid = |reason: String| Err(PopError::InvalidCommand { reason });
        if argv.is_empty() || argv[0].is_empty() {
            return invalid("the command is empty: give the program to run".to_owned());
        }
        if argv.len() > Self::MAX_ARGS {
            return invalid(format!("{} arguments, more than {}", argv.len(), Self::MAX_ARGS));
        }
        if let Some(i) = argv.iter().position(|a| a.len() > Self::MAX_ARG_BYTES || a.contains('\0'))
        {
            return invalid(format!(
                "argument {i} is over {} bytes or holds a NUL",
                Self::MAX_ARG_BYTES
            ));
        }
        validate_metadata(&env)?;
        let timeout = timeout.unwrap_or(Self::DEFAULT_TIMEOUT);
        if timeout.is_zero() || timeout > Self::MAX_TIMEOUT {
            return invalid(format!(
                "a deadline of {} ms; give 1 ms to {} s",
                timeout.as_millis(),
                Self::MAX_TIMEOUT.as_secs()
            ));
        }
        Ok(Self { argv, env, timeout })
    }
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
