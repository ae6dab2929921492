//! The fake's Watch streams, and the workload deaths a test stages.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{FakeVim, FakeVims, World};
use crate::vim::{ContainerEvents, PopContainer, VimError};

/// The watchers of the fake's sites: site name -> one sender per Watch stream.
pub(super) type Watchers = Vec<(String, mpsc::UnboundedSender<PopContainer>)>;

/// Sends a container's new state to the watchers of `site`, forgetting the closed streams.
pub(super) fn publish(world: &mut World, site: &str, container: &PopContainer) {
    world.watchers.retain(|(s, tx)| s != site || tx.send(container.clone()).is_ok());
}

struct FakeEvents(mpsc::UnboundedReceiver<PopContainer>);

#[async_trait]
impl ContainerEvents for FakeEvents {
    async fn next(&mut self) -> Result<Option<PopContainer>, VimError> {
        Ok(self.0.recv().await)
    }
}

impl FakeVim {
    pub(super) fn follow(&self, world: &mut World) -> Box<dyn ContainerEvents> {
        let (tx, rx) = mpsc::unbounded_channel();
        world.watchers.push((self.site.clone(), tx));
        Box::new(FakeEvents(rx))
    }
}

impl FakeVims {
    /// The workload of container `name` at `site` ends, its status now `status` (`FAILED`,
    /// `EXITED`), as a `kill -9` would make it; the site's watchers are told.
    pub fn end_workload(&self, site: &str, name: &str, status: &str, exit_code: i32) {
        let mut world = self.world();
        let key = (site.to_owned(), name.to_owned());
        let Some(container) = world.containers.get_mut(&key) else {
            return;
        };
        container.status = status.to_owned();
        container.exit_code = Some(exit_code);
        let view = FakeVim::view(container);
        publish(&mut world, site, &view);
    }

    /// How many Watch streams follow `site` now.
    pub fn watchers(&self, site: &str) -> usize {
        let world = self.world();
        world.watchers.iter().filter(|(s, tx)| s == site && !tx.is_closed()).count()
    }
}
