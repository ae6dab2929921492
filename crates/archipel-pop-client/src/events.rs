//! The stream of container status changes.

use archipel_proto::v1 as pb;

use crate::client::Client;
use crate::error::ClientError;
use crate::filter::Filter;

/// Status changes as popd sends them, starting with the current state of every matching
/// container.
#[derive(Debug)]
pub struct Events {
    inner: tonic::Streaming<pb::ContainerEvent>,
}

impl Events {
    /// The next change; None when popd ended the stream.
    pub async fn next(&mut self) -> Result<Option<pb::ContainerEvent>, ClientError> {
        Ok(self.inner.message().await?)
    }
}

impl Client {
    /// Follows the containers `filter` matches, with no deadline. A [`Filter::NameOrId`] is
    /// taken as an id only if no container has that name and one has that id, so that a name
    /// can be watched before its container exists.
    pub async fn watch(&self, filter: &Filter) -> Result<Events, ClientError> {
        let filter = match filter {
            Filter::NameOrId(word) => {
                let named = !self.containers(&Filter::name(word)).await?.is_empty();
                if !named && !self.containers(&Filter::id(word)).await?.is_empty() {
                    Filter::id(word)
                } else {
                    Filter::name(word)
                }
            }
            other => other.clone(),
        };
        let message = filter.attempts().remove(0);
        let inner = self.call(message, None, |mut c, r| async move { c.watch(r).await }).await?;
        Ok(Events { inner })
    }
}
