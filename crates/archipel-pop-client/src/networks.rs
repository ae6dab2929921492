//! The network calls (Archipel's additions to the protocol).

use archipel_proto::v1 as pb;

use crate::client::{first_found, first_nonempty, Client};
use crate::error::ClientError;
use crate::filter::Filter;

/// What [`Client::update_network`] changes; what is None stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkChanges {
    /// Replaces every pool; the addresses in use must stay inside the new ones.
    pub pools: Option<Vec<pb::Pool>>,
    pub mtu: Option<u32>,
}

impl Client {
    pub async fn networks(&self, filter: &Filter) -> Result<Vec<pb::Network>, ClientError> {
        first_nonempty(filter.attempts(), |f| async {
            let list =
                self.call(f, self.timeout(), |mut c, r| async move { c.networks(r).await }).await?;
            Ok(list.list)
        })
        .await
    }

    pub async fn create_network(
        &self,
        config: pb::NetworkConfig,
    ) -> Result<pb::Network, ClientError> {
        self.call(config, self.timeout(), |mut c, r| async move { c.create_network(r).await }).await
    }

    pub async fn update_network(
        &self,
        filter: &Filter,
        changes: NetworkChanges,
    ) -> Result<pb::Network, ClientError> {
        first_found(filter.network_attempts(), |f| {
            let message = pb::NetworkUpdate {
                filter: Some(f),
                replace_pools: changes.pools.is_some(),
                pools: changes.pools.clone().unwrap_or_default(),
                // 0 leaves the MTU as it is.
                mtu: changes.mtu.unwrap_or(0),
            };
            self.call(message, self.timeout(), |mut c, r| async move { c.update_network(r).await })
        })
        .await
    }

    pub async fn delete_network(&self, filter: &Filter) -> Result<(), ClientError> {
        first_found(filter.network_attempts(), |f| {
            self.call(f, self.timeout(), |mut c, r| async move { c.delete_network(r).await })
        })
        .await
    }
}
