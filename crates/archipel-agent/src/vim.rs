//! The agent's access to its own site's networks: through its popd ([`PopVim`]) in a real
//! deployment, through a fake in tests.

use std::net::Ipv4Addr;

use archipel_ipam::Pool;
use archipel_pop_client::{pb, Client, ClientError, Filter, NetworkChanges};
use async_trait::async_trait;
use ipnet::Ipv4Net;

/// A network of the site, as its VIM reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteNetwork {
    pub name: String,
    pub cidr: Ipv4Net,
    pub gateway: Ipv4Addr,
    pub pools: Vec<Pool>,
    pub mtu: u32,
    /// The Linux bridge that realises the network.
    pub bridge: String,
    /// The namespace of the bridge; `None` is the host's own.
    pub netns: Option<String>,
}

/// A network the agent asks its VIM to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkSpec {
    pub name: String,
    pub cidr: Ipv4Net,
    pub gateway: Ipv4Addr,
    pub pools: Vec<Pool>,
    /// `None`: the VIM's default.
    pub mtu: Option<u32>,
}

/// What can go wrong talking to the site's VIM.
#[derive(Debug, thiserror::Error)]
pub enum VimError {
    #[error("popd failed to {op}")]
    Pop {
        op: &'static str,
        #[source]
        source: ClientError,
    },
    #[error("popd reports network {network} with {what}")]
    Malformed { network: String, what: String },
    #[error("{0}")]
    Other(String),
}

/// The site's networks, as the agent needs them.
#[async_trait]
pub trait SiteVim: Send + Sync {
    /// Every network of the site.
    async fn networks(&self) -> Result<Vec<SiteNetwork>, VimError>;
    /// One network by name, `None` when there is none.
    async fn network(&self, name: &str) -> Result<Option<SiteNetwork>, VimError> {
        Ok(self.networks().await?.into_iter().find(|n| n.name == name))
    }
    async fn create_network(&self, spec: &NetworkSpec) -> Result<SiteNetwork, VimError>;
    /// Replaces the pools and/or the MTU; what is `None` stays.
    async fn update_network(
        &self,
        name: &str,
        pools: Option<Vec<Pool>>,
        mtu: Option<u32>,
    ) -> Result<SiteNetwork, VimError>;
    /// Succeeds when there is no such network.
    async fn delete_network(&self, name: &str) -> Result<(), VimError>;
}

/// The site's popd, through the Pop protocol.
#[derive(Debug, Clone)]
pub struct PopVim {
    client: Client,
}

impl PopVim {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

fn pop(op: &'static str) -> impl FnOnce(ClientError) -> VimError {
    move |source| VimError::Pop { op, source }
}

fn to_pb(pools: &[Pool]) -> Vec<pb::Pool> {
    pools
        .iter()
        .map(|p| pb::Pool { first: p.first.to_string(), last: p.last.to_string() })
        .collect()
}

fn from_pb(n: pb::Network) -> Result<SiteNetwork, VimError> {
    let bad = |what: &str| VimError::Malformed { network: n.name.clone(), what: what.to_owned() };
    let subnet = n.subnets.first().ok_or_else(|| bad("no subnet"))?;
    let cidr: Ipv4Net = subnet.cidr.parse().map_err(|_| bad("an unreadable subnet"))?;
    let gateway: Ipv4Addr = subnet.gateway.parse().map_err(|_| bad("an unreadable gateway"))?;
    let pools = n
        .pools
        .iter()
        .map(|p| format!("{}-{}", p.first, p.last).parse::<Pool>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad("an unreadable pool"))?;
    let attachment = n.attachment.clone().ok_or_else(|| bad("no Linux attachment"))?;
    Ok(SiteNetwork {
        name: n.name.clone(),
        cidr,
        gateway,
        pools,
        mtu: n.mtu,
        bridge: attachment.bridge,
        netns: Some(attachment.netns).filter(|ns| !ns.is_empty()),
    })
}

#[async_trait]
impl SiteVim for PopVim {
    async fn networks(&self) -> Result<Vec<SiteNetwork>, VimError> {
        let list = self.client.networks(&Filter::any()).await.map_err(pop("list networks"))?;
        list.into_iter().map(from_pb).collect()
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<SiteNetwork, VimError> {
        let config = pb::NetworkConfig {
            name: spec.name.clone(),
            subnet: Some(pb::Subnet {
                cidr: spec.cidr.to_string(),
                gateway: spec.gateway.to_string(),
            }),
            pools: to_pb(&spec.pools),
            mtu: spec.mtu.unwrap_or(0),
        };
        from_pb(self.client.create_network(config).await.map_err(pop("create a network"))?)
    }

    async fn update_network(
        &self,
        name: &str,
        pools: Option<Vec<Pool>>,
        mtu: Option<u32>,
    ) -> Result<SiteNetwork, VimError> {
        let changes = NetworkChanges { pools: pools.as_deref().map(to_pb), mtu };
        let n = self
            .client
            .update_network(&Filter::name(name), changes)
            .await
            .map_err(pop("update a network"))?;
        from_pb(n)
    }

    async fn delete_network(&self, name: &str) -> Result<(), VimError> {
        match self.client.delete_network(&Filter::name(name)).await {
            Err(e) if e.code() == Some(archipel_pop_client::Code::NotFound) => Ok(()),
            other => other.map_err(pop("delete a network")),
        }
    }
}
