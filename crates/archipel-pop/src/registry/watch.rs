use futures::stream::{BoxStream, StreamExt};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::state::matches;
use super::Pop;
use crate::model::{now_unix, ContainerChange, Selector};

impl Pop {
    /// The current state of every matching container, then every change to one. A watcher
    /// that falls behind is sent the current state again instead of an error. The stream ends
    /// when [`Pop::close`] is called.
    pub fn watch(&self, filter: Option<Selector>) -> BoxStream<'static, ContainerChange> {
        let (tx, rx) = mpsc::channel(64);
        let this = self.clone();
        tokio::spawn(async move { this.feed(filter, tx).await });
        ReceiverStream::new(rx).boxed()
    }

    async fn feed(&self, filter: Option<Selector>, tx: mpsc::Sender<ContainerChange>) {
        let closed = self.closed();
        tokio::pin!(closed);
        let (mut sub, snapshot) = self.subscribe(filter.as_ref());
        for change in snapshot {
            if tx.send(change).await.is_err() {
                return;
            }
        }
        loop {
            tokio::select! {
                _ = tx.closed() => return,
                _ = &mut closed => return,
                received = sub.recv() => match received {
                    Ok(change) if matches(filter.as_ref(), &change.container) => {
                        if tx.send(change).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let (fresh, snapshot) = self.subscribe(filter.as_ref());
                        sub = fresh;
                        for change in snapshot {
                            if tx.send(change).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }

    /// Subscribes and takes the matching containers under the state lock, so that no change
    /// falls between the two (changes are published under the same lock).
    fn subscribe(
        &self,
        filter: Option<&Selector>,
    ) -> (broadcast::Receiver<ContainerChange>, Vec<ContainerChange>) {
        let st = self.lock();
        let sub = self.inner().events.subscribe();
        let at = now_unix();
        let mut now: Vec<_> = st
            .containers
            .values()
            .filter(|s| matches(filter, &s.record))
            .map(|s| ContainerChange { container: s.record.clone(), deleted: false, at })
            .collect();
        now.sort_by(|a, b| {
            (a.container.created, &a.container.name).cmp(&(b.container.created, &b.container.name))
        });
        (sub, now)
    }
}
