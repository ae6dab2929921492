//! More addresses for an exhausted network, from the pool provider (the site's agent).

use std::sync::Arc;

use super::Pop;
use crate::error::{chain, PopError};
use crate::provider::PoolProvider;

impl Pop {
    /// Sets where exhausted networks get more addresses.
    pub fn set_pool_provider(&self, provider: Arc<dyn PoolProvider>) {
        *self.inner().pool_provider.lock().unwrap_or_else(|p| p.into_inner()) = Some(provider);
    }

    fn pool_provider(&self) -> Option<Arc<dyn PoolProvider>> {
        self.inner().pool_provider.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Asks the provider for more addresses on `network`, whose allocation failed with
    /// `exhausted`; Ok when the network has free addresses again. Must be called with no lock
    /// held: the provider adds the addresses through UpdateNetwork, which takes them.
    pub(super) async fn refill(&self, network: &str, exhausted: PopError) -> Result<(), PopError> {
        let Some(provider) = self.pool_provider() else { return Err(exhausted) };
        let _one = self.inner().refills.lock().await;
        // Another Create may have refilled the network while this one waited.
        if self.free_in(network) > 0 {
            return Ok(());
        }
        match provider.grow(network).await {
            Ok(pools) => {
                tracing::info!(%network, ?pools, "network refilled by the pool provider");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(%network, error = %chain(&e), "no more addresses from the pool provider");
                Err(PopError::NotRefilled { exhausted: Box::new(exhausted), source: e })
            }
        }
    }

    fn free_in(&self, network: &str) -> u64 {
        self.lock().network_ref(network).map_or(0, |n| n.alloc.free_in_pools())
    }
}
