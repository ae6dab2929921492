//! The NFVO, in this process: its store under the lab's directory, its REST API on a free port
//! of 127.0.0.1, and the typed REST client the demo drives it with, as `archipel ns` and
//! `archipel site` do, so that the demo goes through the real API, logged in as its admin
//! `demo`, whose random password is kept in the store's directory (0600) for a later login.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use archipel_daemon::tls::{self, ClientTls};
use archipel_lab::{LabContext, NFVO_CERT};
use archipel_nfvo::api::{self, NfvoHandle};
use archipel_nfvo::client::NfvoClient;
use archipel_nfvo::vim::PopVims;
use archipel_nfvo::{Nfvo, NfvoConfig};

/// The deadline of each Pop call, as `archipel nfvo` has by default.
const POP_TIMEOUT: Duration = Duration::from_secs(60);
/// At a stop, how long requests and operations in flight have to finish.
const DRAIN: Duration = Duration::from_secs(30);
/// The demo's admin, and the file in the store's directory that holds its password.
pub const ADMIN: &str = "demo";
pub const ADMIN_PASSWORD_FILE: &str = "demo-admin-password";

/// A running NFVO and its client.
#[derive(Debug)]
pub struct Orchestrator {
    handle: NfvoHandle,
    client: NfvoClient,
    endpoint: String,
    data_dir: PathBuf,
}

impl Orchestrator {
    /// Opens the store in `data_dir` and serves the API, over TLS with the lab's certificate
    /// for the NFVO when the lab serves TLS (it then reaches the sites over TLS too).
    pub async fn start(data_dir: &Path, lab: &LabContext) -> anyhow::Result<Self> {
        let client_tls = match &lab.ca {
            Some(ca) => Some(ClientTls::load(ca, None)?),
            None => None,
        };
        let server_tls = match lab.cert_files(NFVO_CERT) {
            Some(files) => Some(tls::server_config(&files.cert, &files.key, None)?),
            None => None,
        };
        let vims = Arc::new(PopVims { timeout: POP_TIMEOUT, tls: client_tls.clone() });
        let nfvo = Nfvo::open(data_dir, vims, NfvoConfig::default())
            .await
            .with_context(|| format!("opening the NFVO's store in {}", data_dir.display()))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("listening on 127.0.0.1 for the NFVO's REST API")?;
        let scheme = if server_tls.is_some() { "https" } else { "http" };
        let handle = api::start_with(listener, nfvo.clone(), server_tls)
            .context("reading the NFVO's address")?;
        let endpoint = format!("{scheme}://{}", handle.local_addr());
        let password = admin_password(data_dir)?;
        nfvo.bootstrap_admin(ADMIN, &password).await.context("making the demo's admin")?;
        let client = NfvoClient::with_tls(&endpoint, client_tls.map(|tls| tls.config))?;
        let token = client.login(ADMIN, &password).await.context("logging in to the NFVO")?.token;
        let client = client.with_token(token);
        Ok(Self { handle, client, endpoint, data_dir: data_dir.to_owned() })
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
        if !self.handle.shutdown(DRAIN).await.context("serving the NFVO's API")? {
            anyhow::bail!("requests or operations of the NFVO still ran after {DRAIN:?}");
        }
        Ok(())
    }
}

/// The demo admin's password: the one kept in the store's directory, or a new random one kept
/// there (0600) for the next run and for `archipel login`.
fn admin_password(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join(ADMIN_PASSWORD_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => return Ok(text.trim().to_owned()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    }
    let password = archipel_daemon::auth::new_token();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    writeln!(file, "{password}").with_context(|| format!("writing {}", path.display()))?;
    Ok(password)
}
