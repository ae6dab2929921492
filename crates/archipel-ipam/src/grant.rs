//! The pool provider's contract, shared by both ends so that it cannot drift: popd (started
//! with `--pool-provider`) asks its own site's agent `POST` [`local_pools_path`] when a network
//! runs out, and the agent answers a [`PoolGrant`] once the pools are in popd's network. The
//! agent's East-West and North interfaces answer the same grant.

use serde::{Deserialize, Serialize};

use crate::Pool;

/// The route the agent serves, `{name}` standing for the network's name in popd.
pub const LOCAL_POOLS_ROUTE: &str = "/intersite-local/networks/{name}/pools";

/// The path popd asks for more addresses on `network`.
pub fn local_pools_path(network: &str) -> String {
    LOCAL_POOLS_ROUTE.replace("{name}", network)
}

/// The address blocks a site was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolGrant {
    pub site: String,
    #[serde(default)]
    pub pools: Vec<Pool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_fills_the_route() {
        assert_eq!(local_pools_path("mgmt"), "/intersite-local/networks/mgmt/pools");
    }
}
