//! The core of popd: the registry of containers and networks, IPAM per network, and the
//! container lifecycle. It sees only domain types; every change is persisted in the same
//! critical section as the in-memory change, and published to watchers.

mod containers;
mod exec;
mod images;
mod lifecycle;
mod networks;
mod open;
mod queries;
mod refill;
pub(crate) mod state;
mod watch;

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ipnet::Ipv4Net;
use tokio::sync::{broadcast, watch as signal};

use crate::error::PopError;
use crate::model::{now_unix, ContainerChange, FlavourSpec, PopContainer, Selector};
use crate::provider::PoolProvider;
use crate::runtime::Runtime;
use crate::store::Store;
pub use queries::POP_TYPE;
use state::{Slot, State};

/// How many changes a watcher may fall behind before it is sent the whole state again.
const EVENT_BUFFER: usize = 1024;

/// What the core needs to know of popd's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopSettings {
    /// The instance name (Info's name).
    pub name: String,
    pub default_network: String,
    pub default_subnet: Ipv4Net,
    /// Stop's timeout when the caller gives none.
    pub stop_timeout: Duration,
    /// The flavours besides the built-in `docker.container`.
    pub flavours: Vec<FlavourSpec>,
}

/// popd's core. Cheap to clone: every clone is the same registry.
#[derive(Clone)]
pub struct Pop {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub settings: PopSettings,
    pub store: Arc<Store>,
    pub runtime: Arc<dyn Runtime>,
    state: Mutex<State>,
    events: broadcast::Sender<ContainerChange>,
    /// Serialises network creation, update and deletion, which span runtime calls.
    net_ops: tokio::sync::Mutex<()>,
    /// Where exhausted networks get more addresses; none: exhaustion fails the Create.
    pool_provider: Mutex<Option<Arc<dyn PoolProvider>>>,
    /// Serialises the requests for more addresses, so that Creates racing on one exhausted
    /// network take one block, not one each.
    refills: tokio::sync::Mutex<()>,
    closed: signal::Sender<bool>,
}

impl std::fmt::Debug for Pop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pop")
            .field("settings", &self.inner.settings)
            .field("runtime", &self.inner.runtime.kind())
            .finish_non_exhaustive()
    }
}

impl Pop {
    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    pub fn settings(&self) -> &PopSettings {
        &self.inner.settings
    }

    pub fn runtime(&self) -> &Arc<dyn Runtime> {
        &self.inner.runtime
    }

    /// Ends every Watch stream and the reconciler; the registry stays usable.
    pub fn close(&self) {
        let _ = self.inner.closed.send(true);
    }

    /// Resolves when [`Pop::close`] is called.
    pub fn closed(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.closed.subscribe();
        async move {
            let _ = rx.wait_for(|closed| *closed).await;
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic under the lock happens before any change is committed (changes are made on
        // copies, persisted, then swapped in), so the state is still consistent.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sequence number of the last container change.
    pub(crate) fn seq(&self) -> u64 {
        self.lock().seq
    }

    /// Persists a container's new record, swaps it in and publishes it. The caller holds the
    /// state lock, so the store, the memory and the order of events agree.
    pub(crate) fn commit(&self, st: &mut State, record: PopContainer) -> Result<(), PopError> {
        self.inner.store.put_container(&record)?;
        st.seq += 1;
        let seq = st.seq;
        match st.containers.get_mut(&record.id) {
            Some(slot) => {
                slot.record = record.clone();
                slot.seq = seq;
            }
            None => {
                st.names.insert(record.name.clone(), record.id.clone());
                let op = Arc::new(tokio::sync::Mutex::new(()));
                st.containers.insert(record.id.clone(), Slot { record: record.clone(), op, seq });
            }
        }
        self.publish(record, false);
        Ok(())
    }

    /// Forgets a container: store first, then memory; publishes its last state as deleted.
    pub(crate) fn forget(&self, st: &mut State, id: &str) -> Result<(), PopError> {
        self.inner.store.delete_container(id)?;
        st.seq += 1;
        if let Some(slot) = st.containers.remove(id) {
            st.names.remove(&slot.record.name);
            if slot.record.holds_addresses() {
                st.release(&slot.record);
            }
            self.publish(slot.record, true);
        }
        Ok(())
    }

    fn publish(&self, container: PopContainer, deleted: bool) {
        // No receiver is not an error: nobody watches.
        let _ = self.inner.events.send(ContainerChange { container, deleted, at: now_unix() });
    }

    /// The container's id and operation lock.
    pub(crate) fn op_of(
        &self,
        sel: &Selector,
    ) -> Result<(String, Arc<tokio::sync::Mutex<()>>), PopError> {
        let st = self.lock();
        let slot = st.container(sel)?;
        Ok((slot.record.id.clone(), slot.op.clone()))
    }
}

/// Runs an operation in its own task: a caller that goes away (a cancelled call, a deadline)
/// does not cut it between a runtime call and the record of its result.
pub(crate) async fn detached<T, F>(fut: F) -> Result<T, PopError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, PopError>> + Send + 'static,
{
    match tokio::spawn(fut).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(PopError::ShuttingDown),
    }
}

#[cfg(test)]
pub(crate) mod tests;
