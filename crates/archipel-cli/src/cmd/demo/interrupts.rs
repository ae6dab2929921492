//! SIGINT (Ctrl-C) and SIGTERM during the demo: caught, so that what the demo made is taken
//! down instead of left behind.

use anyhow::Context as _;
use tokio::signal::unix::{signal, Signal, SignalKind};

/// The signals that end the demo early.
#[derive(Debug)]
pub struct Interrupts {
    int: Signal,
    term: Signal,
}

impl Interrupts {
    /// Installs the handlers; from then on these signals no longer end the process by
    /// themselves.
    pub fn install() -> anyhow::Result<Self> {
        let int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        let term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        Ok(Self { int, term })
    }

    /// Waits for the next one; its name.
    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}
