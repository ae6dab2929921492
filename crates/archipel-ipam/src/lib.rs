//! Address management shared by popd and the inter-site agent: subnets with a gateway and
//! allocation pools, allocation and release, splitting a subnet into disjoint pools, overlap
//! checks. Pure code: no I/O, no clock, so it is where the property tests live. It also holds
//! the wire type of the pool provider's grant ([`grant`]), the one contract between popd and its
//! agent.

mod allocator;
mod error;
pub mod grant;
mod plan;
mod pool;
mod split;

pub use allocator::Allocator;
pub use error::IpamError;
pub use plan::SubnetPlan;
pub use pool::Pool;
pub use split::{overlaps, split_pools};
