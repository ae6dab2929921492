//! Protocol messages <-> domain types, at the boundary only. Malformed input is
//! INVALID_ARGUMENT here, before the core sees it.

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;

use archipel_ipam::Pool;
use archipel_proto::v1 as pb;
use pb::container::Status as PbStatus;

use crate::error::PopError;
use crate::model::{
    ContainerChange, ContainerState, CreateContainer, CreateNetwork, EndpointRequest, Flavour,
    PopContainer, PopInfo, PopNetwork, Selector, UpdateNetwork,
};
use crate::runtime::ImageInfo;

/// A list filter: none, or an empty id/name, lists everything.
pub fn filter(f: Option<pb::Filter>) -> Option<Selector> {
    match f?.options? {
        pb::filter::Options::Id(id) if !id.is_empty() => Some(Selector::Id(id)),
        pb::filter::Options::Name(name) if !name.is_empty() => Some(Selector::Name(name)),
        _ => None,
    }
}

/// The one container a call is about.
pub fn target(f: Option<pb::Filter>) -> Result<Selector, PopError> {
    filter(f).ok_or_else(|| PopError::FilterRequired { what: "container" })
}

pub fn network_target(f: Option<pb::NetworkFilter>) -> Result<Selector, PopError> {
    match f.and_then(|f| f.options) {
        Some(pb::network_filter::Options::Id(id)) if !id.is_empty() => Ok(Selector::Id(id)),
        Some(pb::network_filter::Options::Name(n)) if !n.is_empty() => Ok(Selector::Name(n)),
        _ => Err(PopError::FilterRequired { what: "network" }),
    }
}

fn addr(what: &str, text: &str) -> Result<Ipv4Addr, PopError> {
    text.trim()
        .parse()
        .map_err(|_| PopError::NotAnAddress { what: what.to_owned(), text: text.to_owned() })
}

pub fn create_container(c: pb::ContainerConfig) -> Result<CreateContainer, PopError> {
    let mut endpoints = Vec::with_capacity(c.endpoints.len());
    for (key, ep) in c.endpoints {
        let network = [key, ep.net_name, ep.net_id].into_iter().find(|s| !s.is_empty());
        let network = network.ok_or(PopError::EndpointWithoutNetwork)?;
        let address = match ep.ipv4.map(|ip| ip.address).filter(|a| !a.is_empty()) {
            Some(a) => Some(addr(&format!("the address asked on network {network}"), &a)?),
            None => None,
        };
        endpoints.push(EndpointRequest { network, address });
    }
    endpoints.sort_by(|a, b| a.network.cmp(&b.network));
    Ok(CreateContainer { name: c.name, image: c.image_id, flavour: c.flavour_id, endpoints })
}

pub fn metadata(md: Option<pb::Metadata>) -> BTreeMap<String, String> {
    md.map(|m| m.entries.into_iter().collect()).unwrap_or_default()
}

fn pools(list: Vec<pb::Pool>, network: &str) -> Result<Vec<Pool>, PopError> {
    list.into_iter()
        .map(|p| {
            let bad = |source| PopError::InvalidAddressing { network: network.to_owned(), source };
            let first = addr(&format!("network {network}: pool start"), &p.first)?;
            let last = addr(&format!("network {network}: pool end"), &p.last)?;
            Pool::new(first, last).map_err(bad)
        })
        .collect()
}

pub fn create_network(n: pb::NetworkConfig) -> Result<CreateNetwork, PopError> {
    let subnet = n.subnet.unwrap_or_default();
    let cidr = subnet
        .cidr
        .trim()
        .parse()
        .map_err(|_| PopError::NotAPrefix { network: n.name.clone(), text: subnet.cidr.clone() })?;
    let gateway = match subnet.gateway.trim() {
        "" => None,
        g => Some(addr(&format!("network {}: gateway", n.name), g)?),
    };
    Ok(CreateNetwork {
        pools: pools(n.pools, &n.name)?,
        name: n.name,
        subnet: cidr,
        gateway,
        mtu: (n.mtu != 0).then_some(n.mtu),
    })
}

pub fn update_network(u: pb::NetworkUpdate) -> Result<(Selector, UpdateNetwork), PopError> {
    let sel = network_target(u.filter)?;
    let label = match &sel {
        Selector::Id(s) | Selector::Name(s) => s.clone(),
    };
    let pools = if u.replace_pools { Some(pools(u.pools, &label)?) } else { None };
    Ok((sel, UpdateNetwork { pools, mtu: (u.mtu != 0).then_some(u.mtu) }))
}

fn state(s: ContainerState) -> PbStatus {
    match s {
        ContainerState::Created => PbStatus::Created,
        ContainerState::Running => PbStatus::Running,
        ContainerState::Stopping => PbStatus::Stopping,
        ContainerState::Exited => PbStatus::Exited,
        ContainerState::Failed => PbStatus::Failed,
    }
}

/// The networks by id, for the subnets of endpoints.
pub type Networks = HashMap<String, PopNetwork>;

pub fn networks_by_id(list: Vec<PopNetwork>) -> Networks {
    list.into_iter().map(|n| (n.id.clone(), n)).collect()
}

fn subnet(n: &PopNetwork) -> pb::Subnet {
    pb::Subnet { cidr: n.plan.cidr().to_string(), gateway: n.plan.gateway().to_string() }
}

pub fn container(c: PopContainer, nets: &Networks) -> pb::Container {
    // A container in a final state has returned its addresses to the pool, where another
    // container may hold them now: it lists its networks without an address.
    let holds = c.holds_addresses();
    let endpoints = c
        .endpoints
        .into_iter()
        .map(|(name, ep)| {
            let ipv4 = holds.then(|| pb::Ip {
                address: ep.address.to_string(),
                subnet: nets.get(&ep.network_id).map(subnet),
            });
            let pb_ep = pb::Endpoint {
                net_id: ep.network_id,
                net_name: name.clone(),
                endpoint_id: String::new(),
                ipv4,
                ipv6: None,
                mac: ep.mac.unwrap_or_default(),
            };
            (name, pb_ep)
        })
        .collect();
    pb::Container {
        id: c.id,
        names: vec![c.name],
        image_id: c.image,
        flavour_id: c.flavour,
        command: String::new(),
        created: c.created,
        started: c.started.unwrap_or(0),
        status: state(c.state) as i32,
        extended_status: c.extended_status,
        endpoints,
        md: Some(pb::Metadata { entries: c.metadata.into_iter().collect() }),
        exit_code: c.exit_code,
    }
}

/// A change; a deleted container is sent with status UNAVAILABLE and extended status
/// "deleted" (the protocol has no other way to say it is gone).
pub fn event(change: ContainerChange, nets: &Networks) -> pb::ContainerEvent {
    let mut c = container(change.container, nets);
    if change.deleted {
        c.status = PbStatus::Unavailable as i32;
        c.extended_status = "deleted".into();
    }
    pb::ContainerEvent { container: Some(c), timestamp: change.at }
}

pub fn network(n: PopNetwork) -> pb::Network {
    pb::Network {
        subnets: vec![subnet(&n)],
        pools: n
            .plan
            .pools()
            .iter()
            .map(|p| pb::Pool { first: p.first.to_string(), last: p.last.to_string() })
            .collect(),
        mtu: n.mtu.unwrap_or(0),
        attachment: Some(pb::LinuxAttachment {
            bridge: n.attachment.bridge,
            netns: n.attachment.netns.unwrap_or_default(),
        }),
        id: n.id,
        name: n.name,
        external: false,
    }
}

pub fn image(i: ImageInfo) -> pb::Image {
    pb::Image { id: i.id, names: i.names, created: i.created }
}

pub fn flavour(f: Flavour) -> pb::Flavour {
    pb::Flavour { id: f.id, name: f.name }
}

pub fn info(i: PopInfo) -> pb::Infos {
    pb::Infos { r#type: i.kind, name: i.name, timestamp: i.timestamp }
}

#[cfg(test)]
mod tests;
