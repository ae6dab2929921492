//! The NFVO, in this process: its store under the lab's directory, its REST API on a free port
//! of 127.0.0.1, and the typed REST client the demo drives it with, as `archipel ns` and
//! `archipel site` do, so that the demo goes through the real API.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use archipel_nfvo::client::NfvoClient;
use archipel_nfvo::vim::PopVims;
use archipel_nfvo::{api, Nfvo, NfvoConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The deadline of each Pop call, as `archipel nfvo` has by default.
const POP_TIMEOUT: Duration = Duration::from_secs(60);
/// At a stop, how long requests and operations in flight have to finish.
const DRAIN: Duration = Duration::from_secs(30);

/// A running NFVO and its client.
#[derive(Debug)]
pub struct Orchestrator {
    nfvo: Nfvo,
    client: NfvoClient,
    endpoint: String,
    data_dir: PathBuf,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl Orchestrator {
    /// Opens the store in `data_dir` and serves the API.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let vims = Arc::new(PopVims { timeout: POP_TIMEOUT });
        let nfvo = Nfvo::open(data_dir, vims, NfvoConfig::default())
            .await
            .with_context(|| format!("opening the NFVO's store in {}", data_dir.display()))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("listening on 127.0.0.1 for the NFVO's REST API")?;
        let addr = listener.local_addr().context("reading the NFVO's address")?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(api::serve(listener, nfvo.clone(), async {
            let _ = stopped.await;
        }));
        let endpoint = format!("http://{addr}");
        let client = NfvoClient::new(&endpoint)?;
        Ok(Self { nfvo, client, endpoint, data_dir: data_dir.to_owned(), stop, server })
    }

    pub fn client(&self) -> &NfvoClient {
        &self.client
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops as `archipel nfvo` does at SIGTERM: no new request, those in flight and the
    /// operations running finish (for a while). The store stays.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        let deadline = Instant::now() + DRAIN;
        match tokio::time::timeout(DRAIN, self.server).await {
            Ok(served) => served
                .context("the NFVO's API server panicked")?
                .context("serving the NFVO's API")?,
            Err(_) => tracing::warn!("requests still in flight after {DRAIN:?}: stopping anyway"),
        }
        if !self.nfvo.drain(deadline.saturating_duration_since(Instant::now())).await {
            anyhow::bail!("operations of the NFVO still ran after {DRAIN:?}");
        }
        Ok(())
    }
}
