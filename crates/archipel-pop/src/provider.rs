//! Where popd gets more addresses when a network's pools run out: the site's agent, which asks
//! the master of the network's L2 extension for another block and adds it to the network's
//! pools (an UpdateNetwork back into popd) before it answers.

use std::time::Duration;

use archipel_daemon::problem::Problem;
use archipel_ipam::grant::{local_pools_path, PoolGrant};
use archipel_ipam::Pool;
use async_trait::async_trait;

/// How long one request for addresses may take: the agent asks the master in turn.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why no addresses came.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("cannot reach the pool provider at {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the pool provider refused ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the pool provider's answer is unreadable")]
    Malformed(#[source] reqwest::Error),
}

/// A source of more addresses for the site's networks.
#[async_trait]
pub trait PoolProvider: Send + Sync {
    /// Adds addresses to `network`'s pools (through the Pop API) and returns the pools added;
    /// they are in popd's network when this returns.
    async fn grow(&self, network: &str) -> Result<Vec<Pool>, ProviderError>;
}

/// The site's agent: `POST {url}/intersite-local/networks/{network}/pools` with its North
/// bearer token; the agent answers a [`PoolGrant`] (the contract lives in `archipel-ipam`).
#[derive(Clone)]
pub struct HttpPoolProvider {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl std::fmt::Debug for HttpPoolProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpPoolProvider").field("url", &self.url).finish_non_exhaustive()
    }
}

impl HttpPoolProvider {
    /// `tls`: how `https://` URLs are checked (plain `http://` needs none).
    pub fn new(url: &str, token: &str, tls: Option<archipel_daemon::tls::ClientConfig>) -> Self {
        let mut builder = reqwest::Client::builder().timeout(TIMEOUT);
        if let Some(tls) = tls {
            builder = builder.use_preconfigured_tls(tls);
        }
        let http = builder.build().unwrap_or_default();
        Self { http, url: url.trim_end_matches('/').to_owned(), token: token.to_owned() }
    }
}

#[async_trait]
impl PoolProvider for HttpPoolProvider {
    async fn grow(&self, network: &str) -> Result<Vec<Pool>, ProviderError> {
        let url = format!("{}{}", self.url, local_pools_path(network));
        let reply = self
            .http
            .post(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|source| ProviderError::Unreachable { url: url.clone(), source })?;
        let status = reply.status();
        if !status.is_success() {
            let problem = reply.json::<Problem>().await.ok();
            let message = problem.map_or_else(|| "no reason given".to_owned(), |p| p.detail);
            return Err(ProviderError::Refused { status: status.as_u16(), message });
        }
        Ok(reply.json::<PoolGrant>().await.map_err(ProviderError::Malformed)?.pools)
    }
}
