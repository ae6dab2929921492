//! Pop networks as Docker bridge networks.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use bollard::container::ListContainersOptions;
use bollard::models::{Ipam, IpamConfig, Network};
use bollard::network::{CreateNetworkOptions, InspectNetworkOptions, ListNetworksOptions};
use bollard::Docker;
use ipnet::Ipv4Net;

use super::{failed, is_not_found, status, DockerError};
use archipel_ipam::Pool;

use crate::runtime::{NetworkAttachment, NetworkSpec, RuntimeError, LABEL_NETWORK, LABEL_POPD};

const OPT_BRIDGE_NAME: &str = "com.docker.network.bridge.name";
const OPT_MTU: &str = "com.docker.network.driver.mtu";

/// The Linux bridge of a Pop network: `ap-` and 12 hex digits of a hash of the popd instance and
/// the network name. 15 characters, the kernel's limit; deterministic, so a restarted popd
/// computes the same name.
pub(super) fn bridge_name(instance: &str, network: &str) -> String {
    // FNV-1a: unlike std's hasher, its output is fixed forever.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in instance.bytes().chain([0]).chain(network.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("ap-{:012x}", hash >> 16)
}

/// What carries a Pop network in Docker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Driver {
    /// A bridge on the engine's host, named by Archipel.
    Bridge,
    /// A Swarm overlay that standalone containers may join (`--attachable`) over a cluster of
    /// `nodes`: on each node, Docker's bridge `br0` in the network's own namespace (`1-` and 10
    /// characters of its id under the node's exec root), with VXLAN between the nodes.
    Overlay { nodes: usize },
}

/// The addresses Swarm hands out by itself on an overlay: one per node the network reaches
/// (its load balancer's endpoint), which would take the addresses popd reserves. They are kept
/// to the top of the subnet (`--ip-range`), in the smallest block holding one per node and
/// the broadcast address; popd is told they are in use.
pub(super) fn swarm_range(spec: &NetworkSpec, nodes: usize) -> Result<Ipv4Net, RuntimeError> {
    let size = (nodes + 1).next_power_of_two();
    let prefix = 32 - u8::try_from(size.trailing_zeros()).unwrap_or(32);
    let block = Ipv4Net::new(spec.subnet.broadcast(), prefix).map(|b| b.trunc());
    match block {
        Ok(block) if prefix > spec.subnet.prefix_len() && !block.contains(&spec.gateway) => {
            Ok(block)
        }
        _ => Err(RuntimeError::Failed {
            op: "create network",
            source: Box::new(DockerError::SubnetTooSmall {
                network: spec.name.clone(),
                subnet: spec.subnet,
                nodes,
            }),
        }),
    }
}

/// The addresses of `range` but the subnet's broadcast: what popd must not hand out.
fn swarm_held(range: Ipv4Net, subnet: Ipv4Net) -> Vec<Ipv4Addr> {
    (u32::from(range.network())..=u32::from(range.broadcast()))
        .map(Ipv4Addr::from)
        .filter(|a| *a != subnet.broadcast())
        .collect()
}

/// Creates the network, or adopts the one of that name if its subnet is the same.
///
/// Equals `docker network create --driver bridge --subnet S --gateway G
/// -o com.docker.network.bridge.name=B [-o com.docker.network.driver.mtu=M]
/// --label archipel.popd=I --label archipel.network=N N`; for an overlay, `--driver overlay
/// --attachable` without the bridge's name.
pub(super) async fn ensure(
    docker: &Docker,
    instance: &str,
    spec: &NetworkSpec,
    driver: Driver,
) -> Result<NetworkAttachment, RuntimeError> {
    if let Some(existing) = inspect(docker, &spec.name).await? {
        return adopt(docker, instance, spec, existing).await;
    }
    let bridge = bridge_name(instance, &spec.name);
    let mut options = HashMap::new();
    let ip_range = match driver {
        Driver::Bridge => {
            options.insert(OPT_BRIDGE_NAME.to_owned(), bridge.clone());
            None
        }
        Driver::Overlay { nodes } => Some(swarm_range(spec, nodes)?),
    };
    if let Some(mtu) = spec.mtu {
        options.insert(OPT_MTU.to_owned(), mtu.to_string());
    }
    let create = CreateNetworkOptions {
        name: spec.name.clone(),
        check_duplicate: true,
        driver: if driver == Driver::Bridge { "bridge" } else { "overlay" }.to_owned(),
        attachable: ip_range.is_some(),
        ipam: Ipam {
            driver: Some("default".to_owned()),
            config: Some(vec![IpamConfig {
                subnet: Some(spec.subnet.trunc().to_string()),
                gateway: Some(spec.gateway.to_string()),
                ip_range: ip_range.map(|r| r.to_string()),
                ..Default::default()
            }]),
            options: None,
        },
        options,
        labels: HashMap::from([
            (LABEL_POPD.to_owned(), instance.to_owned()),
            (LABEL_NETWORK.to_owned(), spec.name.clone()),
        ]),
        ..Default::default()
    };
    match docker.create_network(create).await {
        Ok(created) => match ip_range {
            Some(range) => Ok(overlay_attachment(created.id, Vec::new(), Some(range), spec.subnet)),
            None => Ok(NetworkAttachment {
                runtime_id: created.id,
                bridge,
                netns: None,
                in_use: Vec::new(),
                runtime_range: None,
            }),
        },
        // Created by someone else since the inspect: adopt theirs if it fits.
        Err(e) if status(&e) == Some(409) => match inspect(docker, &spec.name).await? {
            Some(existing) => adopt(docker, instance, spec, existing).await,
            None => Err(failed("create network")(e)),
        },
        Err(e) => Err(failed("create network")(e)),
    }
}

/// Checks that the network's MTU is the one wanted. Docker cannot change the MTU of a network in
/// place (its containers' veths take it from the network's options at start), so a different MTU
/// is an error; setting it on the bridge alone would leave the veths at the old one.
pub(super) async fn update(docker: &Docker, spec: &NetworkSpec) -> Result<(), RuntimeError> {
    let network = inspect(docker, &spec.name).await?.ok_or_else(|| RuntimeError::Failed {
        op: "update network",
        source: Box::new(DockerError::NetworkMissing(spec.name.clone())),
    })?;
    let Some(wanted) = spec.mtu else {
        return Ok(());
    };
    let current = network.options.unwrap_or_default().remove(OPT_MTU);
    if current.as_deref().and_then(|m| m.parse().ok()) == Some(wanted) {
        return Ok(());
    }
    Err(RuntimeError::Failed {
        op: "update network",
        source: Box::new(DockerError::MtuImmutable {
            network: spec.name.clone(),
            current: current.unwrap_or_else(|| "the engine's default".to_owned()),
            wanted,
        }),
    })
}

/// Equals `docker network rm N`; a missing network is not an error.
pub(super) async fn remove(docker: &Docker, spec: &NetworkSpec) -> Result<(), RuntimeError> {
    match docker.remove_network(&spec.name).await {
        Err(e) if !is_not_found(&e) => Err(failed("remove network")(e)),
        _ => Ok(()),
    }
}

/// Equals `docker network rm` of every network labelled `archipel.popd=INSTANCE`.
pub(super) async fn remove_labelled(docker: &Docker, instance: &str) -> Result<(), RuntimeError> {
    let label = format!("{LABEL_POPD}={instance}");
    let options = ListNetworksOptions { filters: HashMap::from([("label", vec![label.as_str()])]) };
    let networks = docker.list_networks(Some(options)).await.map_err(failed("list networks"))?;
    for id in networks.into_iter().filter_map(|n| n.id) {
        match docker.remove_network(&id).await {
            Err(e) if !is_not_found(&e) => return Err(failed("remove network")(e)),
            _ => {}
        }
    }
    Ok(())
}

/// The network named exactly `name` (Docker also resolves id prefixes: those do not count).
async fn inspect(docker: &Docker, name: &str) -> Result<Option<Network>, RuntimeError> {
    match docker.inspect_network(name, None::<InspectNetworkOptions<String>>).await {
        Ok(network) if network.name.as_deref() == Some(name) => Ok(Some(network)),
        Ok(_) => Ok(None),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(failed("inspect network")(e)),
    }
}

async fn adopt(
    docker: &Docker,
    instance: &str,
    spec: &NetworkSpec,
    network: Network,
) -> Result<NetworkAttachment, RuntimeError> {
    let configs = network.ipam.and_then(|ipam| ipam.config).unwrap_or_default();
    let ranges: Vec<Ipv4Net> =
        configs.iter().filter_map(|c| c.ip_range.as_ref()?.parse().ok()).collect();
    let subnets: Vec<String> = configs.into_iter().filter_map(|config| config.subnet).collect();
    let same = subnets
        .iter()
        .any(|s| s.parse::<Ipv4Net>().is_ok_and(|net| net.trunc() == spec.subnet.trunc()));
    if !same {
        return Err(RuntimeError::NetworkConflict {
            name: spec.name.clone(),
            found: if subnets.is_empty() { "none".to_owned() } else { subnets.join(", ") },
            wanted: spec.subnet,
        });
    }
    let id = network.id.unwrap_or_default();
    if network.driver.as_deref() == Some("overlay") {
        let in_use = foreign_addresses(docker, instance, &id).await?;
        return Ok(overlay_attachment(id, in_use, ranges.first().copied(), spec.subnet));
    }
    let bridge = network
        .options
        .unwrap_or_default()
        .remove(OPT_BRIDGE_NAME)
        .unwrap_or_else(|| format!("br-{}", id.get(..12).unwrap_or(&id)));
    let in_use = foreign_addresses(docker, instance, &id).await?;
    Ok(NetworkAttachment { runtime_id: id, bridge, netns: None, in_use, runtime_range: None })
}

/// Where an overlay lives on each node that has a container on it, and the addresses of
/// `range` Swarm hands out by itself there, reserved (and kept out of the pools).
fn overlay_attachment(
    id: String,
    mut in_use: Vec<Ipv4Addr>,
    range: Option<Ipv4Net>,
    subnet: Ipv4Net,
) -> NetworkAttachment {
    let held = range.map(|r| swarm_held(r, subnet)).unwrap_or_default();
    let runtime_range = held.first().zip(held.last()).map(|(&first, &last)| Pool { first, last });
    in_use.extend(held);
    let netns = format!("1-{}", id.get(..10).unwrap_or(&id));
    let bridge = "br0".to_owned();
    NetworkAttachment { runtime_id: id, bridge, netns: Some(netns), in_use, runtime_range }
}

/// The addresses held on the network by containers not labelled as this popd's, running or not
/// (a stopped container keeps its fixed address and takes it back when it starts).
async fn foreign_addresses(
    docker: &Docker,
    instance: &str,
    network_id: &str,
) -> Result<Vec<Ipv4Addr>, RuntimeError> {
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: HashMap::from([("network", vec![network_id])]),
            ..Default::default()
        }))
        .await
        .map_err(failed("list containers"))?;
    let mut in_use = Vec::new();
    for container in containers {
        let labels = container.labels.unwrap_or_default();
        if labels.get(LABEL_POPD).map(String::as_str) == Some(instance) {
            continue;
        }
        let networks =
            container.network_settings.and_then(|settings| settings.networks).unwrap_or_default();
        for endpoint in networks.into_values() {
            if endpoint.network_id.as_deref() != Some(network_id) {
                continue;
            }
            let fixed = endpoint.ipam_config.and_then(|ipam| ipam.ipv4_address);
            let address = endpoint.ip_address.filter(|a| !a.is_empty()).or(fixed);
            if let Some(address) = address.and_then(|a| a.parse().ok()) {
                in_use.push(address);
            }
        }
    }
    in_use.sort();
    in_use.dedup();
    Ok(in_use)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swarm_keeps_one_address_per_node_at_the_top_of_the_subnet() {
        let spec = |subnet: &str, gateway: &str| NetworkSpec {
            id: "n".into(),
            name: "n".into(),
            subnet: subnet.parse().unwrap(),
            gateway: gateway.parse().unwrap(),
            mtu: None,
        };
        let net = spec("10.0.0.0/24", "10.0.0.1");
        assert_eq!(swarm_range(&net, 3).unwrap().to_string(), "10.0.0.252/30");
        assert_eq!(swarm_range(&net, 4).unwrap().to_string(), "10.0.0.248/29");
        let held = swarm_held(swarm_range(&net, 3).unwrap(), net.subnet);
        let held: Vec<String> = held.iter().map(ToString::to_string).collect();
        assert_eq!(held, ["10.0.0.252", "10.0.0.253", "10.0.0.254"]);
        let small = swarm_range(&spec("10.0.0.0/30", "10.0.0.1"), 3).unwrap_err();
        assert!(format!("{:?}", small).contains("SubnetTooSmall"), "{small:?}");
        let gateway_on_top = swarm_range(&spec("10.0.0.0/24", "10.0.0.254"), 3);
        assert!(gateway_on_top.is_err());
    }

    #[test]
    fn bridge_names_fit_the_kernel_and_are_stable() {
        // Pinned: a restarted popd must find the bridges it named before.
        assert_eq!(bridge_name("site-a", "net1"), "ap-5c102283c134");
        assert_ne!(bridge_name("site-a", "net1"), bridge_name("site-a", "net2"));
        assert_ne!(bridge_name("a", "bc"), bridge_name("ab", "c"));
    }
}
