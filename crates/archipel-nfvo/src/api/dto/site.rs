use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::engine::SiteSpec;
use crate::ids;
use crate::model::{Reachability, SiteView};

/// A site to register.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SiteRequest {
    /// Letters, digits, `-`, `_`, `.`; at most 63 characters.
    #[schema(min_length = 1, max_length = 63, pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    pub name: String,
    /// The site's popd, `http://HOST:PORT`.
    #[schema(format = "uri", pattern = "^https?://[^/?#@]+")]
    pub pop_endpoint: String,
    #[schema(min_length = 1)]
    pub username: String,
    pub password: String,
    /// The site's inter-site agent, `http://HOST:PORT`: needed for virtual links that span
    /// this site and others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = "uri", pattern = "^https?://[^/?#@]+")]
    pub agent_endpoint: Option<String>,
    /// The agent's North bearer token; required with `agentEndpoint`, never shown back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_token: Option<String>,
}

impl std::fmt::Debug for SiteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteRequest")
            .field("name", &self.name)
            .field("pop_endpoint", &self.pop_endpoint)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl From<SiteRequest> for SiteSpec {
    fn from(r: SiteRequest) -> Self {
        Self {
            name: r.name,
            pop_endpoint: r.pop_endpoint,
            username: r.username,
            password: r.password,
            agent_endpoint: r.agent_endpoint,
            agent_token: r.agent_token,
        }
    }
}

/// A registered site, and whether its popd answered Info just now. The password is never shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteInfo {
    pub name: String,
    pub pop_endpoint: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_endpoint: Option<String>,
    /// The MTU of the site's networks, as its agent reported for tunnels between sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tunnel_mtu: Option<u32>,
    /// RFC 3339.
    pub added_at: String,
    pub reachable: bool,
    /// What the popd calls itself (Info), when reachable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pop_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pop_type: Option<String>,
    /// Why it is not reachable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable_reason: Option<String>,
    /// Whether the NFVO's watch follows the site's Watch stream now: REACHABLE, UNREACHABLE,
    /// or UNKNOWN (not followed yet).
    pub reachability: String,
}

impl From<SiteView> for SiteInfo {
    fn from(view: SiteView) -> Self {
        let (reachable, pop_name, pop_type, reason) = match view.reachability {
            Reachability::Reachable { pop_name, pop_type } => {
                (true, Some(pop_name), Some(pop_type), None)
            }
            Reachability::Unreachable { reason } => (false, None, None, Some(reason)),
        };
        let site = view.site;
        Self {
            reachability: view.watch.as_str().to_owned(),
            name: site.name,
            pop_endpoint: site.pop_endpoint,
            username: site.username,
            agent_endpoint: site.agent_endpoint,
            tunnel_mtu: site.tunnel_mtu,
            added_at: ids::rfc3339(site.added),
            reachable,
            pop_name,
            pop_type,
            unreachable_reason: reason,
        }
    }
}
