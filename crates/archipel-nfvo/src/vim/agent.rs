//! What the engine needs from a site's inter-site agent: L2 extensions of the virtual links
//! that span sites. The real implementation is [`NorthAgent`] on the agent's North interface.

use std::time::Duration;

use archipel_agent::{CreateRequest, NorthClient, ResourceRef, ServiceType, UpdateRequest};
use archipel_daemon::tls::ClientConfig;
use async_trait::async_trait;

use super::VimError;

/// What an agent says of its site at registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSite {
    /// The site's name as the agents know it.
    pub site: String,
    /// The MTU inside a tunnel from this site.
    pub tunnel_mtu: u32,
}

/// The North calls of one site's agent, as the master of the extensions it creates.
#[async_trait]
pub trait Agent: Send + Sync + std::fmt::Debug {
    async fn site(&self) -> Result<AgentSite, VimError>;
    /// Extends Pop network `network` of this site over `sites` (this one included): each other
    /// site's agent makes a network of the same name and subnet with its own pool, and the
    /// bridges are joined over VXLAN. Returns the extension's global id. The extension is
    /// named like the network, so that it can be found again by [`Agent::find`].
    async fn extend(&self, network: &str, sites: &[String]) -> Result<String, VimError>;
    /// Makes `sites` (this one included) the sites of an extension: new ones join, missing ones
    /// leave. Returns the sites that could not be reached and leave later.
    async fn set_sites(
        &self,
        global_id: &str,
        network: &str,
        sites: &[String],
    ) -> Result<Vec<String>, VimError>;
    /// Removes an extension at every site; returns the sites that leave later.
    async fn remove(&self, global_id: &str) -> Result<Vec<String>, VimError>;
    /// The global id of the extension named `name`, if this agent masters one.
    async fn find(&self, name: &str) -> Result<Option<String>, VimError>;
}

/// An agent through its North interface.
#[derive(Debug, Clone)]
pub struct NorthAgent {
    client: NorthClient,
    site: String,
}

impl NorthAgent {
    /// The agent of site `site` at `endpoint`, every call bounded by `timeout`; an `https://`
    /// endpoint is checked with `tls`.
    pub fn new(
        site: &str,
        endpoint: &str,
        token: &str,
        timeout: Duration,
        tls: Option<ClientConfig>,
    ) -> Self {
        let client = NorthClient::with_tls(endpoint, token, timeout, tls);
        Self { client, site: site.to_owned() }
    }
}

fn failed(err: archipel_agent::NorthError) -> VimError {
    match &err {
        archipel_agent::NorthError::Refused { status: 404, .. } => {
            VimError::NotFound(Box::new(err))
        }
        _ => VimError::Failed(Box::new(err)),
    }
}

fn resources(network: &str, sites: &[String]) -> Vec<ResourceRef> {
    sites.iter().map(|s| ResourceRef { site: s.clone(), network: network.to_owned() }).collect()
}

#[async_trait]
impl Agent for NorthAgent {
    async fn site(&self) -> Result<AgentSite, VimError> {
        let info = self.client.site_info().await.map_err(failed)?;
        Ok(AgentSite { site: info.site, tunnel_mtu: info.tunnel_mtu })
    }

    async fn extend(&self, network: &str, sites: &[String]) -> Result<String, VimError> {
        let req = CreateRequest {
            kind: ServiceType::L2,
            name: network.to_owned(),
            resources: resources(network, sites),
        };
        let service = self.client.create(&req).await.map_err(failed)?;
        tracing::info!(site = %self.site, network, global_id = %service.global_id, "extended");
        Ok(service.global_id)
    }

    async fn set_sites(
        &self,
        global_id: &str,
        network: &str,
        sites: &[String],
    ) -> Result<Vec<String>, VimError> {
        let req = UpdateRequest { name: None, resources: Some(resources(network, sites)) };
        let reply = self.client.update(global_id, &req).await.map_err(failed)?;
        Ok(reply.pending)
    }

    async fn remove(&self, global_id: &str) -> Result<Vec<String>, VimError> {
        match self.client.delete(global_id).await {
            Err(archipel_agent::NorthError::Refused { status: 404, .. }) => Ok(Vec::new()),
            other => other.map_err(failed),
        }
    }

    async fn find(&self, name: &str) -> Result<Option<String>, VimError> {
        let services = self.client.list().await.map_err(failed)?;
        Ok(services
            .into_iter()
            .find(|s| s.name == name && s.master == self.site)
            .map(|s| s.global_id))
    }
}
