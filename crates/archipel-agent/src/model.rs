//! DIMINET's objects (Fig. 5: Service, Param, Resource, Connection) and the messages of the two
//! interfaces.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// East-West, North and the site's own popd: the blocks a site that ran out of addresses got.
pub use archipel_ipam::grant::PoolGrant;
use archipel_ipam::Pool;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::wireguard::Encryption;

/// What an inter-site service does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceType {
    /// One subnet stretched over the sites by a VXLAN.
    L2,
    /// Routing between the sites' own subnets.
    L3,
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::L2 => "l2",
            Self::L3 => "l3",
        })
    }
}

impl FromStr for ServiceType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "l2" => Ok(Self::L2),
            "l3" => Ok(Self::L3),
            other => Err(format!("unknown service type {other:?} (l2 or l3)")),
        }
    }
}

/// A site's network taking part in a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    pub site: String,
    pub network: String,
}

/// A resource as a site stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub site: String,
    pub network: String,
    /// The agent of that site created the network for the service (and deletes it with it).
    #[serde(default)]
    pub created: bool,
}

/// A service's parameters, the same at every site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vni: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<Ipv4Net>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ipv4Addr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// The allocation pools handed to each site.
    #[serde(default)]
    pub pools: BTreeMap<String, Vec<Pool>>,
    /// Blocks the master keeps for sites that run out.
    #[serde(default)]
    pub reserve: Vec<Vec<Pool>>,
    /// Each site's underlay (VTEP) address.
    #[serde(default)]
    pub underlays: BTreeMap<String, Ipv4Addr>,
    /// L3: each site's address on the transit segment.
    #[serde(default)]
    pub transit: BTreeMap<String, Ipv4Net>,
    /// L3: each site's subnet.
    #[serde(default)]
    pub subnets: BTreeMap<String, Ipv4Net>,
    /// Whether the sites' VXLAN runs inside WireGuard; services stored before encryption
    /// existed are plain.
    #[serde(default)]
    pub encryption: Encryption,
    /// Raised by the master on every change, so that a participant never takes an older view
    /// (a convergence push started before the change) over a newer one.
    #[serde(default)]
    pub revision: u64,
}

/// An inter-site service as a site stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub global_id: String,
    #[serde(rename = "type")]
    pub kind: ServiceType,
    pub name: String,
    /// The site whose agent created the service and owns its parameters.
    pub master: String,
    pub params: Params,
    pub resources: Vec<Resource>,
}

impl Service {
    /// The sites taking part, in order, without repeats.
    pub fn sites(&self) -> Vec<String> {
        let mut sites: Vec<String> = self.resources.iter().map(|r| r.site.clone()).collect();
        sites.sort();
        sites.dedup();
        sites
    }

    /// What a participant is sent and keeps: the record less the master's reserve, which only
    /// the master hands out (an extension over hundreds of sites keeps several blocks a site).
    pub fn view(&self) -> Service {
        let mut view = self.clone();
        view.params.reserve = Vec::new();
        view
    }

    /// What undoing the service needs, recorded while a create or a join of it is in
    /// progress: its sites, VNI, subnet, gateway, MTU and revision, not every site's pools and
    /// underlay nor the reserve (a few hundred bytes where a view over hundreds of sites is
    /// tens of KiB, written before any site makes anything).
    pub fn outline(&self) -> Service {
        let p = &self.params;
        Service {
            global_id: self.global_id.clone(),
            kind: self.kind,
            name: self.name.clone(),
            master: self.master.clone(),
            params: Params {
                vni: p.vni,
                cidr: p.cidr,
                gateway: p.gateway,
                mtu: p.mtu,
                encryption: p.encryption,
                revision: p.revision,
                ..Params::default()
            },
            resources: self.resources.clone(),
        }
    }

    /// The resource of one site.
    pub fn resource_of(&self, site: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.site == site)
    }
}

/// How this site's data plane reaches the others for a service (local only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub global_id: String,
    /// `vxlan` or `route`.
    pub kind: String,
    /// The namespace it lives in (empty: the host's).
    pub netns: String,
    /// The device name, or the route's destination.
    pub device: String,
}

/// North: create a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    #[serde(rename = "type")]
    pub kind: ServiceType,
    pub name: String,
    pub resources: Vec<ResourceRef>,
}

/// North: what a delete left to do. The sites named could not be reached: they leave when the
/// master reaches them again (the convergence loop keeps trying).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteReply {
    pub pending: Vec<String>,
}

/// North: change a service; what is `None` stays. `resources` is the whole new list of an L2
/// extension: sites missing from it leave, new ones join.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ResourceRef>>,
}

/// North: a changed service, and the sites the change has not reached yet: removed sites that
/// must still leave and staying sites that missed the new view. The convergence loop takes the
/// change to them once they answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateReply {
    pub service: Service,
    #[serde(default)]
    pub pending: Vec<String>,
}

/// North: what the orchestrator needs to know of a site before it makes networks there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub site: String,
    pub underlay: Ipv4Addr,
    /// The MTU a network stretched over VXLAN can carry: the underlay's minus the encapsulation.
    pub tunnel_mtu: u32,
}

/// East-West: a master asks a site to join a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub service: Service,
}

/// East-West: a network's subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidrInfo {
    pub network: String,
    pub cidr: Ipv4Net,
    pub gateway: Ipv4Addr,
}

/// East-West: the revision a master holds of each service a site takes part in, for a
/// convergence pass: the site answers which it lacks or holds older ([`RevisionsReply`]), and
/// only those are sent whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisions {
    /// Global id -> revision.
    pub services: BTreeMap<String, u64>,
}

/// East-West: the services of a [`Revisions`] the site does not hold, and those it holds at an
/// older revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionsReply {
    #[serde(default)]
    pub missing: Vec<String>,
    #[serde(default)]
    pub stale: Vec<String>,
}

/// East-West: whether a CIDR or VNI is free at a site; `conflict` names what holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeReply {
    pub free: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// The site's underlay address, which the master needs for the flood entries.
    pub underlay: Ipv4Addr,
}

/// East-West: a master asks a site to hold `vni` for the service `global_id`. The reply is a
/// [`FreeReply`]: `free` means the VNI is now held for that service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VniReservation {
    pub vni: u32,
    pub global_id: String,
}

/// East-West: a site's WireGuard public key (base64) and UDP port, given to a peer that gives
/// its own back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOffer {
    pub public_key: String,
    pub port: u16,
}
