//! A client of the North interface (`/intersite-vertical`, `/intersite-site`), for the CLI and
//! the NFVO.

use std::time::Duration;

use archipel_daemon::problem::Problem;
use archipel_daemon::tls::ClientConfig;
use archipel_ipam::Pool;
use serde::de::DeserializeOwned;

use crate::model::{
    CreateRequest, DeleteReply, KeyOffer, PoolGrant, Service, SiteInfo, UpdateReply, UpdateRequest,
};

/// How long a North call may take: a create contacts every site, several times.
pub const NORTH_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum NorthError {
    #[error("the agent at {url} is unreachable")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{message} (HTTP {status})")]
    Refused { status: u16, message: String },
}

/// The North interface of one agent.
#[derive(Clone)]
pub struct NorthClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

/// The token stays out of every debug print (the NFVO holds a client per site).
impl std::fmt::Debug for NorthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NorthClient").field("base", &self.base).finish_non_exhaustive()
    }
}

impl NorthClient {
    /// `base`: the agent's URL (`http://host:port`); `token`: its North bearer token.
    pub fn new(base: impl Into<String>, token: impl Into<String>, timeout: Duration) -> Self {
        Self::with_tls(base, token, timeout, None)
    }

    /// As [`NorthClient::new`], reaching an `https://` agent with `tls`.
    pub fn with_tls(
        base: impl Into<String>,
        token: impl Into<String>,
        timeout: Duration,
        tls: Option<ClientConfig>,
    ) -> Self {
        let mut builder = reqwest::Client::builder().timeout(timeout);
        if let Some(tls) = tls {
            builder = builder.use_preconfigured_tls(tls);
        }
        let http = builder.build().unwrap_or_default();
        let base = base.into().trim_end_matches('/').to_owned();
        Self { base, token: token.into(), http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/intersite-vertical{path}", self.base)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, NorthError> {
        let unreachable = |source| NorthError::Unreachable { url: self.base.clone(), source };
        let resp = req.bearer_auth(&self.token).send().await.map_err(unreachable)?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let problem = resp.json::<Problem>().await.ok();
        let message = problem.map_or_else(|| status.to_string(), |p| p.detail);
        Err(NorthError::Refused { status: status.as_u16(), message })
    }

    async fn json<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, NorthError> {
        let resp = self.send(req).await?;
        resp.json()
            .await
            .map_err(|source| NorthError::Unreachable { url: self.base.clone(), source })
    }

    pub async fn list(&self) -> Result<Vec<Service>, NorthError> {
        self.json(self.http.get(self.url(""))).await
    }

    pub async fn get(&self, global_id: &str) -> Result<Service, NorthError> {
        self.json(self.http.get(self.url(&format!("/{global_id}")))).await
    }

    pub async fn create(&self, req: &CreateRequest) -> Result<Service, NorthError> {
        self.json(self.http.post(self.url("")).json(req)).await
    }

    /// Changes a service; the reply names the sites the change has not reached yet (the
    /// master takes it there when they answer again).
    pub async fn update(
        &self,
        global_id: &str,
        req: &UpdateRequest,
    ) -> Result<UpdateReply, NorthError> {
        self.json(self.http.put(self.url(&format!("/{global_id}"))).json(req)).await
    }

    /// The agent's site: its name, underlay address and tunnel MTU.
    pub async fn site_info(&self) -> Result<SiteInfo, NorthError> {
        self.json(self.http.get(format!("{}/intersite-site", self.base))).await
    }

    /// Removes a service everywhere; returns the sites that could not be reached yet (they
    /// leave when the master reaches them again).
    pub async fn delete(&self, global_id: &str) -> Result<Vec<String>, NorthError> {
        let resp = self.send(self.http.delete(self.url(&format!("/{global_id}")))).await?;
        if resp.status() != reqwest::StatusCode::ACCEPTED {
            return Ok(Vec::new());
        }
        let reply: DeleteReply = resp
            .json()
            .await
            .map_err(|source| NorthError::Unreachable { url: self.base.clone(), source })?;
        Ok(reply.pending)
    }

    /// Gives the agent's site a new WireGuard key pair; answers its public key.
    pub async fn rotate_key(&self) -> Result<KeyOffer, NorthError> {
        self.json(self.http.post(format!("{}/intersite-site/wireguard/rotate", self.base))).await
    }

    /// Asks the agent to get another address block for its site.
    pub async fn grow(&self, global_id: &str) -> Result<Vec<Pool>, NorthError> {
        let grant: PoolGrant =
            self.json(self.http.post(self.url(&format!("/{global_id}/pools")))).await?;
        Ok(grant.pools)
    }
}
