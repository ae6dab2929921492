//! The [`Vim`] of a real popd, on the Pop client.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use archipel_daemon::tls::ClientTls;
use archipel_pop_client::{pb, Client, ClientError, Code, Credentials, Filter};
use async_trait::async_trait;

use super::{
    Agent, ContainerEvents, ContainerSpec, ExecOutcome, ExecSpec, NetworkSpec, NorthAgent,
    PopContainer, Vim, VimError, VimInfo, Vims,
};
use crate::model::Site;

/// Makes a [`PopVim`] per site; every call has `timeout` as its deadline.
#[derive(Debug, Clone)]
pub struct PopVims {
    pub timeout: Duration,
    /// How `https://` popds and agents are checked; none: only `http://` ones are reached.
    pub tls: Option<ClientTls>,
}

impl Vims for PopVims {
    fn vim(&self, site: &Site) -> Arc<dyn Vim> {
        let client = Client::new(Credentials {
            endpoint: site.pop_endpoint.clone(),
            username: site.username.clone(),
            password: site.password.clone(),
            ca: self.tls.as_ref().map(|tls| tls.ca_pem.clone()),
        })
        .with_timeout(self.timeout);
        Arc::new(PopVim { client })
    }

    fn agent(&self, site: &Site) -> Option<Arc<dyn Agent>> {
        let endpoint = site.agent_endpoint.as_deref()?;
        let token = site.agent_token.as_deref().unwrap_or_default();
        let timeout = archipel_agent::NORTH_TIMEOUT;
        let tls = self.tls.as_ref().map(|tls| tls.config.clone());
        Some(Arc::new(NorthAgent::new(&site.name, endpoint, token, timeout, tls)))
    }
}

/// A site's popd through the Pop client (which caches its session per endpoint and user).
#[derive(Debug, Clone)]
pub struct PopVim {
    client: Client,
}

fn failed(err: ClientError) -> VimError {
    if err.code() == Some(Code::NotFound) {
        VimError::NotFound(Box::new(err))
    } else {
        VimError::Failed(Box::new(err))
    }
}

/// A delete of something already gone is done.
fn gone_is_ok(result: Result<(), ClientError>) -> Result<(), VimError> {
    match result {
        Err(err) if err.code() == Some(Code::NotFound) => Ok(()),
        other => other.map_err(failed),
    }
}

fn container(c: pb::Container) -> PopContainer {
    let status = pb::container::Status::try_from(c.status)
        .unwrap_or(pb::container::Status::Unavailable)
        .as_str_name()
        .to_owned();
    let addresses = c
        .endpoints
        .into_iter()
        .filter_map(|(net, endpoint)| Some((net, endpoint.ipv4?.address)))
        .collect();
    PopContainer {
        id: c.id,
        name: c.names.into_iter().next().unwrap_or_default(),
        status,
        addresses,
        exit_code: c.exit_code,
    }
}

/// popd's Watch stream.
struct PopEvents(archipel_pop_client::Events);

#[async_trait]
impl ContainerEvents for PopEvents {
    async fn next(&mut self) -> Result<Option<PopContainer>, VimError> {
        loop {
            match self.0.next().await.map_err(failed)? {
                None => return Ok(None),
                Some(event) => {
                    if let Some(c) = event.container {
                        return Ok(Some(container(c)));
                    }
                }
            }
        }
    }
}

#[async_trait]
impl Vim for PopVim {
    async fn info(&self) -> Result<VimInfo, VimError> {
        let info = self.client.info().await.map_err(failed)?;
        Ok(VimInfo { name: info.name, kind: info.r#type })
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<String, VimError> {
        let config = pb::NetworkConfig {
            name: spec.name.clone(),
            subnet: Some(pb::Subnet { cidr: spec.subnet.to_string(), gateway: String::new() }),
            pools: Vec::new(),
            mtu: spec.mtu.unwrap_or(0),
        };
        let network = self.client.create_network(config).await.map_err(failed)?;
        Ok(network.id)
    }

    async fn delete_network(&self, name: &str) -> Result<(), VimError> {
        gone_is_ok(self.client.delete_network(&Filter::name(name)).await)
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<PopContainer, VimError> {
        let endpoints = spec
            .networks
            .iter()
            .map(|net| {
                let ipv4 = spec
                    .addresses
                    .get(net)
                    .map(|address| pb::Ip { address: address.clone(), subnet: None });
                let endpoint = pb::Endpoint { net_name: net.clone(), ipv4, ..Default::default() };
                (net.clone(), endpoint)
            })
            .collect();
        let config = pb::ContainerConfig {
            name: spec.name.clone(),
            image_id: spec.image.clone(),
            flavour_id: String::new(),
            endpoints,
        };
        Ok(container(self.client.create(config).await.map_err(failed)?))
    }

    async fn set_metadata(
        &self,
        name: &str,
        entries: &BTreeMap<String, String>,
    ) -> Result<(), VimError> {
        let entries: HashMap<String, String> = entries.clone().into_iter().collect();
        self.client.metadata(&Filter::name(name), entries).await.map_err(failed)
    }

    async fn start(&self, name: &str) -> Result<PopContainer, VimError> {
        let started = self.client.start(&Filter::name(name)).await.map_err(failed)?;
        Ok(container(started))
    }

    async fn exec(&self, name: &str, spec: &ExecSpec) -> Result<ExecOutcome, VimError> {
        let env: HashMap<String, String> = spec.env.clone().into_iter().collect();
        let filter = Filter::name(name);
        let reply = self.client.exec(&filter, &spec.command, &env, Some(spec.timeout));
        let reply = reply.await.map_err(failed)?;
        Ok(ExecOutcome {
            exit_code: reply.exit_code,
            output: reply.output,
            timed_out: reply.timed_out,
        })
    }

    async fn delete_container(&self, name: &str) -> Result<(), VimError> {
        gone_is_ok(self.client.delete(&Filter::name(name)).await)
    }

    async fn containers(&self) -> Result<Vec<PopContainer>, VimError> {
        let list = self.client.containers(&Filter::any()).await.map_err(failed)?;
        Ok(list.into_iter().map(container).collect())
    }

    async fn watch(&self) -> Result<Box<dyn ContainerEvents>, VimError> {
        let events = self.client.watch(&Filter::any()).await.map_err(failed)?;
        Ok(Box::new(PopEvents(events)))
    }
}
