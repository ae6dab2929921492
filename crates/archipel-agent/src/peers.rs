//! The East-West client: how an agent reaches the other sites' agents.

use std::collections::BTreeMap;
use std::time::Duration;

use archipel_daemon::problem::Problem;
use archipel_daemon::tls::ClientConfig;
use archipel_ipam::Pool;
use async_trait::async_trait;
use ipnet::Ipv4Net;
use serde::de::DeserializeOwned;

use crate::model::{
    CidrInfo, FreeReply, JoinRequest, KeyOffer, PoolGrant, Revisions, RevisionsReply, Service,
    VniReservation,
};

/// How long one call to another agent may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// The header that carries the key the calling site shares with the called one.
pub const KEY_HEADER: &str = "x-archipel-key";
/// The header that names the calling site.
pub const SITE_HEADER: &str = "x-archipel-site";

/// How this agent reaches one peer: the URL of its agent and, in plain text, the key the two
/// sites share (each pair of sites its own); over TLS this site's client certificate names it.
#[derive(Clone, PartialEq, Eq)]
pub struct PeerLink {
    pub url: String,
    pub key: Option<String>,
}

/// The key stays out of every debug print.
impl std::fmt::Debug for PeerLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerLink").field("url", &self.url).finish_non_exhaustive()
    }
}

/// What can go wrong reaching another site.
#[derive(Debug, thiserror::Error)]
pub enum PeersError {
    #[error("site {0} is not a known peer")]
    UnknownSite(String),
    #[error("site {site} is unreachable")]
    Unreachable {
        site: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("site {site} did not answer in time")]
    Timeout { site: String },
    #[error("site {site} refused: {message}")]
    Refused { site: String, status: u16, message: String },
}

impl PeersError {
    /// The remote answered 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Refused { status: 404, .. })
    }
}

/// The other sites' agents, by site name.
#[async_trait]
pub trait Peers: Send + Sync {
    /// The subnet of a network of `site`.
    async fn cidr(&self, site: &str, network: &str) -> Result<CidrInfo, PeersError>;
    /// Whether no network of `site` overlaps `cidr`.
    async fn cidr_free(&self, site: &str, cidr: Ipv4Net) -> Result<FreeReply, PeersError>;
    /// Asks `site` to hold `vni` for the service `global_id`: `free` when it now does,
    /// otherwise the conflict.
    async fn reserve_vni(
        &self,
        site: &str,
        vni: u32,
        global_id: &str,
    ) -> Result<FreeReply, PeersError>;
    /// Lets `site` drop what it holds of `vni` for `global_id`.
    async fn release_vni(&self, site: &str, vni: u32, global_id: &str) -> Result<(), PeersError>;
    /// Gives `site` this site's WireGuard key and port, and gets its own.
    async fn exchange_keys(&self, site: &str, offer: &KeyOffer) -> Result<KeyOffer, PeersError>;
    /// Asks `site` to take part in a service (make its network and its data plane).
    async fn join(&self, site: &str, service: &Service) -> Result<(), PeersError>;
    /// [`Peers::join`] at every one of `sites` at once, their results in the same order. The
    /// view is the same for all: a transport may encode it once rather than once a site (an
    /// extension over hundreds of sites sends as many copies of a view that lists them all).
    async fn join_all(&self, sites: &[String], service: &Service) -> Vec<Result<(), PeersError>> {
        futures::future::join_all(sites.iter().map(|s| self.join(s, service))).await
    }
    /// Gives `site` the master's view of a service.
    async fn update(&self, site: &str, service: &Service) -> Result<(), PeersError>;
    /// Tells `site` the revisions of the services it takes part in; it answers which it lacks
    /// or holds older.
    async fn revisions(
        &self,
        site: &str,
        revisions: &Revisions,
    ) -> Result<RevisionsReply, PeersError>;
    /// Asks `site` to remove everything it made for a service.
    async fn leave(&self, site: &str, global_id: &str) -> Result<(), PeersError>;
    /// Asks the master `site` for another block of addresses for `requester`.
    async fn grant_pools(
        &self,
        site: &str,
        global_id: &str,
        requester: &str,
    ) -> Result<Vec<Pool>, PeersError>;
}

/// [`Peers`] over HTTP (the `/intersite-horizontal` interface).
#[derive(Debug, Clone)]
pub struct HttpPeers {
    /// This site's name, which every call carries.
    site: String,
    peers: BTreeMap<String, PeerLink>,
    http: reqwest::Client,
}

impl HttpPeers {
    /// `site`: this site; `peers`: site name -> its agent (`http://host:port`) and key.
    pub fn new(
        site: impl Into<String>,
        peers: BTreeMap<String, PeerLink>,
        timeout: Duration,
    ) -> Self {
        Self::with_tls(site, peers, timeout, None)
    }

    /// As [`HttpPeers::new`], reaching `https://` agents with `tls`, whose client certificate
    /// (this site's) tells the callee which site calls.
    pub fn with_tls(
        site: impl Into<String>,
        peers: BTreeMap<String, PeerLink>,
        timeout: Duration,
        tls: Option<ClientConfig>,
    ) -> Self {
        let mut builder = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout);
        if let Some(tls) = tls {
            builder = builder.use_preconfigured_tls(tls);
        }
        let http = builder.build().unwrap_or_default();
        Self { site: site.into(), peers, http }
    }

    fn peer(&self, site: &str) -> Result<&PeerLink, PeersError> {
        self.peers.get(site).ok_or_else(|| PeersError::UnknownSite(site.to_owned()))
    }

    fn url(&self, site: &str, path: &str) -> Result<String, PeersError> {
        let base = &self.peer(site)?.url;
        Ok(format!("{}/intersite-horizontal{path}", base.trim_end_matches('/')))
    }

    async fn send(
        &self,
        site: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, PeersError> {
        let unreachable = |source: reqwest::Error| match source.is_timeout() {
            true => PeersError::Timeout { site: site.to_owned() },
            false => PeersError::Unreachable { site: site.to_owned(), source },
        };
        let req = match &self.peer(site)?.key {
            Some(key) => req.header(SITE_HEADER, &self.site).header(KEY_HEADER, key),
            None => req,
        };
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let problem = resp.json::<Problem>().await.ok();
        let message = problem.map_or_else(|| status.to_string(), |p| p.detail);
        Err(PeersError::Refused { site: site.to_owned(), status: status.as_u16(), message })
    }

    /// A join whose body is encoded already.
    async fn join_encoded(&self, site: &str, body: bytes::Bytes) -> Result<(), PeersError> {
        let req = self
            .http
            .post(self.url(site, "")?)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        self.send(site, req).await.map(drop)
    }

    async fn json<T: DeserializeOwned>(
        &self,
        site: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<T, PeersError> {
        let resp = self.send(site, req).await?;
        resp.json()
            .await
            .map_err(|source| PeersError::Unreachable { site: site.to_owned(), source })
    }
}

#[async_trait]
impl Peers for HttpPeers {
    async fn cidr(&self, site: &str, network: &str) -> Result<CidrInfo, PeersError> {
        let url = self.url(site, &format!("/networks/{network}/cidr"))?;
        self.json(site, self.http.get(url)).await
    }

    async fn cidr_free(&self, site: &str, cidr: Ipv4Net) -> Result<FreeReply, PeersError> {
        let url = self.url(site, "/cidr-free")?;
        self.json(site, self.http.get(url).query(&[("cidr", cidr.to_string())])).await
    }

    async fn reserve_vni(
        &self,
        site: &str,
        vni: u32,
        global_id: &str,
    ) -> Result<FreeReply, PeersError> {
        let url = self.url(site, "/vni-reservations")?;
        let body = VniReservation { vni, global_id: global_id.to_owned() };
        self.json(site, self.http.post(url).json(&body)).await
    }

    async fn release_vni(&self, site: &str, vni: u32, global_id: &str) -> Result<(), PeersError> {
        let url = self.url(site, &format!("/vni-reservations/{vni}"))?;
        let req = self.http.delete(url).query(&[("global_id", global_id)]);
        self.send(site, req).await.map(drop)
    }

    async fn exchange_keys(&self, site: &str, offer: &KeyOffer) -> Result<KeyOffer, PeersError> {
        let url = self.url(site, "/wireguard")?;
        self.json(site, self.http.put(url).json(offer)).await
    }

    async fn join(&self, site: &str, service: &Service) -> Result<(), PeersError> {
        let body = JoinRequest { service: service.clone() };
        self.send(site, self.http.post(self.url(site, "")?).json(&body)).await.map(drop)
    }

    /// The body encoded once, sent to every site.
    async fn join_all(&self, sites: &[String], service: &Service) -> Vec<Result<(), PeersError>> {
        let Ok(body) = serde_json::to_vec(&JoinRequest { service: service.clone() }) else {
            // Unencodable: each join says so through the transport's own error.
            return futures::future::join_all(sites.iter().map(|s| self.join(s, service))).await;
        };
        let body = bytes::Bytes::from(body);
        futures::future::join_all(sites.iter().map(|s| self.join_encoded(s, body.clone()))).await
    }

    async fn update(&self, site: &str, service: &Service) -> Result<(), PeersError> {
        let url = self.url(site, &format!("/{}", service.global_id))?;
        self.send(site, self.http.put(url).json(service)).await.map(drop)
    }

    async fn revisions(
        &self,
        site: &str,
        revisions: &Revisions,
    ) -> Result<RevisionsReply, PeersError> {
        let url = self.url(site, "/revisions")?;
        self.json(site, self.http.post(url).json(revisions)).await
    }

    async fn leave(&self, site: &str, global_id: &str) -> Result<(), PeersError> {
        let url = self.url(site, &format!("/{global_id}"))?;
        self.send(site, self.http.delete(url)).await.map(drop)
    }

    async fn grant_pools(
        &self,
        site: &str,
        global_id: &str,
        requester: &str,
    ) -> Result<Vec<Pool>, PeersError> {
        let url = self.url(site, &format!("/{global_id}/pools"))?;
        let body = PoolGrant { site: requester.to_owned(), pools: Vec::new() };
        let grant: PoolGrant = self.json(site, self.http.post(url).json(&body)).await?;
        Ok(grant.pools)
    }
}
