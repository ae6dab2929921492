//! The handle every daemon's library returns once it listens (as linkerd2-proxy's `main` holds
//! its app): where it listens, the app itself for embedding and tests, and a shutdown bounded by
//! a drain timeout. `main` is then the same three lines for every daemon: install the signal
//! handlers, start, `run` until a signal.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

type Drain = Box<dyn FnOnce(Duration) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send>;

/// Completes when the daemon is asked to stop (or its handle is dropped): what a server's
/// graceful shutdown waits for.
#[derive(Debug)]
pub struct Stop(oneshot::Receiver<()>);

impl Future for Stop {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A serving daemon: `A` is its app (the core it serves), `E` its library's error.
pub struct Daemon<A, E> {
    addr: SocketAddr,
    app: A,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), E>>,
    drain: Option<Drain>,
}

impl<A, E> std::fmt::Debug for Daemon<A, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl<A, E: Send + 'static> Daemon<A, E> {
    /// Spawns `serve`, which serves until the [`Stop`] it is given completes and then lets the
    /// calls in flight finish. `addr` is where it already listens.
    pub fn spawn<F, Fut>(addr: SocketAddr, app: A, serve: F) -> Self
    where
        F: FnOnce(Stop) -> Fut,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(Stop(stopped)));
        Self { addr, app, stop: Some(stop), task, drain: None }
    }

    /// Work that must finish after the server has stopped (operations in flight), given the
    /// time left of the drain timeout; it returns whether it finished.
    pub fn with_drain<F, Fut>(mut self, drain: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.drain = Some(Box::new(move |left| Box::pin(drain(left))));
        self
    }

    /// The address it listens on (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The app it serves.
    pub fn app(&self) -> &A {
        &self.app
    }

    /// Stops accepting, lets calls and work in flight finish for at most `drain`, and returns
    /// whether everything finished in time (what did not is cut).
    pub async fn shutdown(mut self, drain: Duration) -> Result<bool, E> {
        let deadline = Instant::now() + drain;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let served = match tokio::time::timeout(drain, &mut self.task).await {
            Ok(joined) => Some(unwind(joined)?),
            Err(_) => {
                tracing::warn!(
                    drain_secs = drain.as_secs_f32(),
                    "calls still in flight after the drain timeout: cut"
                );
                self.task.abort();
                None
            }
        };
        let mut drained = served.is_some();
        if let Some(work) = self.drain.take() {
            let finished = work(deadline.saturating_duration_since(Instant::now())).await;
            if !finished {
                tracing::warn!("work still running after the drain timeout");
            }
            drained &= finished;
        }
        Ok(drained)
    }

    /// Serves until `signal` completes, then shuts down as [`Daemon::shutdown`] does; returns
    /// early with the server's own result if it ends first.
    pub async fn run(mut self, signal: impl Future, drain: Duration) -> Result<bool, E> {
        tokio::select! {
            _ = signal => self.shutdown(drain).await,
            joined = &mut self.task => unwind(joined).map(|()| false),
        }
    }
}

fn unwind<E>(joined: Result<Result<(), E>, tokio::task::JoinError>) -> Result<(), E> {
    match joined {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: only the runtime going away does that, and then there is nothing to report.
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 1))
    }

    #[tokio::test]
    async fn a_server_that_drains_in_time_and_its_work() {
        let daemon = Daemon::<_, std::io::Error>::spawn(addr(), "app", |stop| async move {
            stop.await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(())
        })
        .with_drain(|left| async move { left > Duration::ZERO });
        assert_eq!(*daemon.app(), "app");
        assert!(daemon.shutdown(Duration::from_secs(5)).await.unwrap());
    }

    #[tokio::test]
    async fn a_server_past_its_drain_is_cut() {
        let daemon = Daemon::<_, std::io::Error>::spawn(addr(), (), |_stop| async move {
            std::future::pending::<()>().await;
            Ok(())
        });
        assert!(!daemon.shutdown(Duration::from_millis(50)).await.unwrap());
    }

    #[tokio::test]
    async fn run_returns_the_servers_own_end() {
        let daemon = Daemon::spawn(addr(), (), |_stop| async move {
            Err::<(), _>(std::io::Error::other("address in use"))
        });
        let err = daemon.run(std::future::pending::<()>(), Duration::from_secs(1)).await;
        assert_eq!(err.unwrap_err().to_string(), "address in use");
    }
}
