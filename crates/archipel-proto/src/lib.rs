//! The Pop protocol: the code generated from `proto/pop.proto`.
//!
//! Only the transport edges (the popd gRPC service, the client) use these types; the cores
//! convert them into their own domain types at the boundary.

/// Version 1 of the Pop protocol (`archipel.pop.v1`).
#[allow(missing_debug_implementations, clippy::all)]
pub mod v1 {
    tonic::include_proto!("archipel.pop.v1");
}
