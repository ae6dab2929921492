//! What can go wrong in the agent's core.

use ipnet::Ipv4Net;

use crate::dataplane::DataplaneError;
use crate::peers::PeersError;
use crate::store::StoreError;
use crate::vim::VimError;
use crate::wireguard::{Encryption, WireguardError};

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("no inter-site service {global_id}")]
    ServiceNotFound { global_id: String },
    #[error(
        "network {network} of this site is in no L2 extension: no master can give it addresses"
    )]
    NotExtended { network: String },
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
    #[error("service {global_id} has no address block left in reserve")]
    ReserveEmpty { global_id: String },
    #[error(
        "network {network} exists at site {site} with other pools: a participant joins with a \
         network it makes itself"
    )]
    NetworkExists { site: String, network: String },
    #[error("this site has left service {global_id} since this view: a late join is refused")]
    JoinAfterLeave { global_id: String },
    #[error("network {network} of site {site} is already part of service {global_id}")]
    NetworkInService { site: String, network: String, global_id: String },

    // East-West: the calling site may not ask this.
    #[error("site {caller} called, but the request names site {master} as the master")]
    CallerNotMaster { caller: String, master: String },
    #[error("site {caller} may not act on service {global_id}, which site {owner} made")]
    NotYours { caller: String, global_id: String, owner: String },
    #[error("site {caller} takes no part in service {global_id}")]
    NotAParticipant { caller: String, global_id: String },
    #[error("site {caller} may ask addresses for itself only, not for site {site}")]
    GrantForOther { caller: String, site: String },

    // A request that cannot be right, whatever the state.
    #[error("each site may bring one network only")]
    SiteTwice,
    #[error("a service needs at least two sites")]
    TooFewSites,
    #[error("site {site} (the master) must be one of the resources")]
    MasterNotAResource { site: String },
    #[error("site {site} is the master of {global_id} and cannot be removed")]
    MasterRemoved { site: String, global_id: String },
    #[error("site {site} is not a resource of {global_id}")]
    NotAResource { site: String, global_id: String },
    #[error("site {site} has no address pools in service {global_id}")]
    NoPoolsAt { site: String, global_id: String },
    #[error("changing the resources of {global_id} is not supported for l3 services")]
    L3Membership { global_id: String },
    #[error(
        "site {site} takes part in {global_id} with network {network}, not {asked}: remove the \
         site first to change it"
    )]
    NetworkChange { site: String, global_id: String, network: String, asked: String },
    #[error("site {site} has not left {global_id} yet since it was removed; add it once it has")]
    StillLeaving { site: String, global_id: String },
    /// A service record without a parameter the master always sets.
    #[error("service {global_id} lacks its {what}")]
    Incomplete { global_id: String, what: &'static str },
    #[error("network {network} of site {site} is {found} and not {cidr}")]
    CidrMismatch { network: String, site: String, found: Ipv4Net, cidr: Ipv4Net },
    #[error("the transit range {range} is smaller than a /24")]
    TransitTooSmall { range: Ipv4Net },
    #[error("bad transit segment {segment}")]
    BadTransit { segment: Ipv4Net },
    #[error("site {site} is not a peer of site {me}: its agent has no --peer for it")]
    UnknownSite { site: String, me: String },
    #[error("the {what} is {problem}: give 1 to {max} characters, no control character", max = crate::core::NAME_MAX)]
    BadName { what: &'static str, problem: &'static str },
    #[error(
        "the underlay address {given} given for site {site} is not its configured one ({known})"
    )]
    WrongUnderlay { site: String, given: std::net::Ipv4Addr, known: std::net::Ipv4Addr },
    #[error("VNI {vni} is outside 1 to 16777215")]
    BadVni { vni: u32 },
    #[error("the address plan of service {global_id} for site {site} is invalid")]
    BadPlan {
        global_id: String,
        site: String,
        #[source]
        source: archipel_ipam::IpamError,
    },
    #[error("the view of service {global_id} changes its {what}, which is fixed at its creation")]
    FixedChanged { global_id: String, what: &'static str },
    /// A body about another service than the path names.
    #[error("the body is about {body} and not {path}")]
    IdMismatch { body: String, path: String },
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
    #[error("WireGuard failed")]
    Wireguard(#[from] WireguardError),
    #[error("service {global_id} asks for encryption {asked}, and this site runs {mine}")]
    EncryptionMismatch { global_id: String, asked: Encryption, mine: Encryption },
    #[error("site {site} runs no encryption: it has no WireGuard key to exchange")]
    EncryptionOff { site: String },
}

impl AgentError {
    /// The error with its causes, as one line.
    pub fn chain(&self) -> String {
        archipel_daemon::chain(self)
    }
}
