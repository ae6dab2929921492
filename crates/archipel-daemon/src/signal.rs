//! The signals that stop a daemon: SIGTERM (service managers, `kill`) and SIGINT (a terminal).

use std::future::Future;

use tokio::signal::unix::{signal, SignalKind};

/// Which signal asked the daemon to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Terminate,
    Interrupt,
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signal::Terminate => "SIGTERM",
            Signal::Interrupt => "SIGINT",
        })
    }
}

/// Installs the SIGTERM and SIGINT handlers now and returns a future that completes at the
/// first of them. Call it before the daemon starts: a signal that arrives during start-up is
/// then kept, not lost to the default action.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = Signal> + Send + 'static> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        let signal = tokio::select! {
            _ = term.recv() => Signal::Terminate,
            _ = int.recv() => Signal::Interrupt,
        };
        tracing::info!(%signal, "stop requested");
        signal
    })
}
