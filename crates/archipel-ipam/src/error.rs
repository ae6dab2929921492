use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// What can be wrong with a subnet, a pool or an allocation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpamError {
    #[error("invalid pool {0}: expected FIRST-LAST with FIRST <= LAST, both IPv4 addresses")]
    InvalidPool(String),
    #[error("address {addr} is outside subnet {subnet}")]
    OutsideSubnet { addr: Ipv4Addr, subnet: Ipv4Net },
    #[error("pool {pool} is not inside subnet {subnet}")]
    PoolOutsideSubnet { pool: crate::Pool, subnet: Ipv4Net },
    #[error("pools {a} and {b} overlap")]
    PoolsOverlap { a: crate::Pool, b: crate::Pool },
    #[error("subnet {0} is too small: it needs at least one address besides the gateway")]
    SubnetTooSmall(Ipv4Net),
    #[error(
        "address {addr} is reserved in subnet {subnet} (network, broadcast or gateway address)"
    )]
    Reserved { addr: Ipv4Addr, subnet: Ipv4Net },
    #[error("address {0} is already taken")]
    Taken(Ipv4Addr),
    #[error("address pool exhausted: every address of {pools} is taken")]
    Exhausted { pools: String },
    #[error("address {addr} is in use but outside the new pools")]
    InUseOutsidePools { addr: Ipv4Addr },
    #[error("cannot split {subnet} into {parts} pools of at least one address")]
    CannotSplit { subnet: Ipv4Net, parts: usize },
}
