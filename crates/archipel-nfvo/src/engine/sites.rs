//! Registering sites, and whether they answer.

use std::sync::Arc;

use futures::future::join_all;

use super::Nfvo;
use crate::error::NfvoError;
use crate::ids;
use crate::model::{Reachability, Site, SiteView};
use crate::vim::{Agent, Vim, VimError};

/// A site to register.
#[derive(Clone, PartialEq, Eq)]
pub struct SiteSpec {
    pub name: String,
    pub pop_endpoint: String,
    pub username: String,
    pub password: String,
    pub agent_endpoint: Option<String>,
    /// The agent's North bearer token.
    pub agent_token: Option<String>,
}

impl std::fmt::Debug for SiteSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteSpec")
            .field("name", &self.name)
            .field("pop_endpoint", &self.pop_endpoint)
            .field("username", &self.username)
            .field("agent_endpoint", &self.agent_endpoint)
            .finish_non_exhaustive()
    }
}

/// Why Info did not answer in time.
#[derive(Debug, thiserror::Error)]
#[error("no answer within {0:?}")]
struct NoAnswer(std::time::Duration);

impl Nfvo {
    /// Registers a site once its popd has answered Info with these credentials, and its agent,
    /// when it has one, has said which site it serves and its tunnel MTU.
    pub async fn add_site(&self, spec: SiteSpec) -> Result<SiteView, NfvoError> {
        check_name(&spec.name)?;
        check_endpoint("pop endpoint", &spec.pop_endpoint)?;
        if let Some(agent) = &spec.agent_endpoint {
            check_endpoint("agent endpoint", agent)?;
            if spec.agent_token.as_deref().unwrap_or_default().is_empty() {
                return Err(invalid(
                    "an agent endpoint needs the agent's North token (--agent-token or \
                     ARCHIPEL_AGENT_TOKEN)",
                ));
            }
        }
        if spec.username.is_empty() {
            return Err(invalid("a username is required"));
        }
        if self.store().site(&spec.name)?.is_some() {
            return Err(NfvoError::SiteExists { name: spec.name });
        }
        let mut site = Site {
            name: spec.name,
            pop_endpoint: spec.pop_endpoint,
            username: spec.username,
            password: spec.password,
            agent_endpoint: spec.agent_endpoint,
            agent_token: spec.agent_token,
            tunnel_mtu: None,
            added: ids::now(),
        };
        let reachability = match self.info(&site).await {
            Ok(reachable) => reachable,
            Err(source) => return Err(NfvoError::SiteUnreachable { name: site.name, source }),
        };
        site.tunnel_mtu = self.agent_mtu(&site).await?;
        if !self.store().insert_site(&site)? {
            return Err(NfvoError::SiteExists { name: site.name });
        }
        tracing::info!(name = %site.name, endpoint = %site.pop_endpoint, "site registered");
        let watch = self.site_reach(&site.name);
        Ok(SiteView { site, reachability, watch })
    }

    /// Every site, each asked for Info (all at once).
    pub async fn sites(&self) -> Result<Vec<SiteView>, NfvoError> {
        let sites = self.store().sites()?;
        Ok(join_all(sites.into_iter().map(|site| self.site_view(site))).await)
    }

    pub async fn site(&self, name: &str) -> Result<SiteView, NfvoError> {
        let site = self.store().site(name)?.ok_or_else(|| not_found(name))?;
        Ok(self.site_view(site).await)
    }

    /// Forgets a site where no network service holds anything.
    pub fn remove_site(&self, name: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        if let Some(nsr) = self.store().nsr_on_site(name)? {
            return Err(NfvoError::SiteInUse { name: name.to_owned(), nsr });
        }
        if !self.store().delete_site(name)? {
            return Err(not_found(name));
        }
        tracing::info!(%name, "site removed");
        Ok(())
    }

    pub(super) fn vim(&self, site: &Site) -> Arc<dyn Vim> {
        self.inner.vims.vim(site)
    }

    pub(super) fn agent(&self, site: &Site) -> Option<Arc<dyn Agent>> {
        self.inner.vims.agent(site)
    }

    /// The tunnel MTU the site's agent reports, once it has said it serves this site.
    async fn agent_mtu(&self, site: &Site) -> Result<Option<u32>, NfvoError> {
        let Some(agent) = self.agent(site) else { return Ok(None) };
        let timeout = self.config().site_timeout;
        let answer = tokio::time::timeout(timeout, agent.site())
            .await
            .map_err(|_| VimError::Failed(Box::new(NoAnswer(timeout))))
            .and_then(|answer| answer);
        let info = answer
            .map_err(|source| NfvoError::AgentUnreachable { name: site.name.clone(), source })?;
        if info.site != site.name {
            return Err(invalid(format!(
                "the agent at {} serves site {}, not {}: register the site under the name its \
                 agent knows",
                site.agent_endpoint.as_deref().unwrap_or_default(),
                info.site,
                site.name
            )));
        }
        Ok(Some(info.tunnel_mtu))
    }

    async fn site_view(&self, site: Site) -> SiteView {
        let reachability = self
            .info(&site)
            .await
            .unwrap_or_else(|err| Reachability::Unreachable { reason: err.reason() });
        let watch = self.site_reach(&site.name);
        SiteView { site, reachability, watch }
    }

    async fn info(&self, site: &Site) -> Result<Reachability, VimError> {
        let timeout = self.config().site_timeout;
        let info = tokio::time::timeout(timeout, self.vim(site).info())
            .await
            .map_err(|_| VimError::Failed(Box::new(NoAnswer(timeout))))??;
        Ok(Reachability::Reachable { pop_name: info.name, pop_type: info.kind })
    }
}

/// Site names appear in commands and URLs: letters, digits, `-`, `_`, `.`, at most 63.
fn check_name(name: &str) -> Result<(), NfvoError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "invalid site name {name:?}: use a letter or digit, then letters, digits, '-', '_' \
             or '.', at most 63 characters"
        )))
    }
}

/// An `http(s)://HOST:PORT` endpoint with no user information: credentials have fields of
/// their own, sealed in the store, and an endpoint is shown in listings and errors. Nothing
/// before an `@` is ever echoed back.
fn check_endpoint(what: &str, endpoint: &str) -> Result<(), NfvoError> {
    let shown = if endpoint.contains('@') {
        "(not shown: it holds an `@`)".to_owned()
    } else {
        format!("{endpoint:?}")
    };
    match reqwest::Url::parse(endpoint) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => Err(invalid(format!(
            "the {what} holds a user or password before `@`: give only http(s)://HOST:PORT, and \
             the credentials in their own fields"
        ))),
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(invalid(format!(
            "invalid {what} {shown}: expected http://HOST:PORT or https://HOST:PORT"
        ))),
    }
}

fn invalid(reason: impl Into<String>) -> NfvoError {
    NfvoError::InvalidRequest { reason: reason.into() }
}

fn not_found(name: &str) -> NfvoError {
    NfvoError::NotFound { what: "site", id: name.to_owned() }
}
