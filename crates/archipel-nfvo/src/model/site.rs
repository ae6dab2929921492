//! Sites: where VNFs are placed.

use std::fmt;

/// A registered site: its popd and, for inter-site services, its agent.
#[derive(Clone, PartialEq, Eq)]
pub struct Site {
    pub name: String,
    /// `http://HOST:PORT` of the site's popd.
    pub pop_endpoint: String,
    pub username: String,
    pub password: String,
    /// The site's inter-site agent, for virtual links that span sites.
    pub agent_endpoint: Option<String>,
    /// The agent's North bearer token; never shown.
    pub agent_token: Option<String>,
    /// The MTU a network of this site carries inside a tunnel between sites, as its agent said
    /// at registration: every Pop network made at a site with an agent gets it from the start,
    /// since Docker cannot change a network's MTU once made.
    pub tunnel_mtu: Option<u32>,
    /// Unix seconds.
    pub added: i64,
}

impl fmt::Debug for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Site")
            .field("name", &self.name)
            .field("pop_endpoint", &self.pop_endpoint)
            .field("username", &self.username)
            .field("agent_endpoint", &self.agent_endpoint)
            .field("tunnel_mtu", &self.tunnel_mtu)
            .finish_non_exhaustive()
    }
}

/// Whether a site's popd answered Info just now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reachability {
    Reachable {
        /// What popd calls itself (Info's name and type).
        pop_name: String,
        pop_type: String,
    },
    Unreachable {
        reason: String,
    },
}

/// Whether the watch reaches a site now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SiteReach {
    Reachable,
    Unreachable,
    /// Not followed yet.
    #[default]
    Unknown,
}

impl SiteReach {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteReach::Reachable => "REACHABLE",
            SiteReach::Unreachable => "UNREACHABLE",
            SiteReach::Unknown => "UNKNOWN",
        }
    }
}

/// A site as listed: the record, whether it answers Info now, and whether the watch reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteView {
    pub site: Site,
    pub reachability: Reachability,
    pub watch: SiteReach,
}
