//! What can go wrong in the agent's core.

use ipnet::Ipv4Net;

use crate::dataplane::DataplaneError;
use crate::peers::PeersError;
use crate::store::StoreError;
use crate::vim::VimError;

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("no inter-site service {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("network {0} of this site is in no L2 extension: no master can give it addresses")]
    NotExtended(String),
    #[error("site {site} has no network {network}")]
    NoNetwork { site: String, network: String },
    #[error(
        "network {a_network} of site {a_site} ({a_cidr}) overlaps network {b_network} of site \
         {b_site} ({b_cidr})"
    )]
    Overlap {
        a_site: String,
        a_network: String,
        a_cidr: Ipv4Net,
        b_site: String,
        b_network: String,
        b_cidr: Ipv4Net,
    },
    #[error("{cidr} is already used at site {site} by {conflict}")]
    CidrTaken { site: String, cidr: Ipv4Net, conflict: String },
    #[error("VNI {vni} of the service is already used at site {site} by {conflict}")]
    VniTaken { site: String, vni: u32, conflict: String },
    #[error("no {what} is free at every site of the service")]
    NothingFree { what: &'static str },
    #[error("site {master} is the master of service {global_id}; ask its agent")]
    NotMaster { global_id: String, master: String },
    #[error("service {0} has no address block left in reserve")]
    ReserveEmpty(String),
    #[error("cannot split the subnet")]
    Ipam(#[source] archipel_ipam::IpamError),
    #[error("the local store failed")]
    Store(#[from] StoreError),
    #[error("the site's VIM failed")]
    Vim(#[from] VimError),
    #[error("another site failed")]
    Peer(#[from] PeersError),
    #[error("the data plane failed")]
    Dataplane(#[from] DataplaneError),
}

impl AgentError {
    /// The error with its causes, as one line.
    pub fn chain(&self) -> String {
        archipel_daemon::chain(self)
    }
}
