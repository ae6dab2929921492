//! A Swarm site's Pop network as one L2 segment at the site: a bridge of the site's own (in the
//! site's namespace, where its agent attaches tunnels), and a veth from it into Docker's overlay
//! namespace on every node that holds a container of the network.
//!
//! Why every node: Docker's overlay answers ARP from its own table (its VXLAN device runs in
//! proxy mode) and floods nothing between nodes, so a container on a worker never reaches an
//! address Docker does not know through the manager. Linked at each node, its broadcasts reach
//! the site's bridge, and so the tunnels to the other sites, directly. The overlay's namespace
//! on a node lives while a container of the network runs there; the veth goes with it.

use std::path::Path;
use std::sync::Arc;

use archipel_netlink::Netlink;

use super::network::bridge_name;
use crate::runtime::RuntimeError;

/// The veth's end inside an overlay's namespace, enslaved to Docker's `br0` there.
const OVERLAY_PORT: &str = "ap-site";
/// Docker's bridge in an overlay's namespace.
const OVERLAY_BRIDGE: &str = "br0";

/// The site's bridges of a Swarm runtime, made through `nl` in namespace `netns` (the host's
/// own for None).
#[derive(Clone)]
pub(super) struct SiteBridges {
    pub netns: Option<String>,
    pub nl: Arc<dyn Netlink>,
}

impl std::fmt::Debug for SiteBridges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteBridges").field("netns", &self.netns).finish_non_exhaustive()
    }
}

/// Where Docker keeps overlay `network_id`'s namespace on the node whose container has the
/// namespace `sandbox_key`: beside it, as `1-` and the id's first 10 characters.
pub(super) fn overlay_netns(sandbox_key: &str, network_id: &str) -> Option<String> {
    let dir = Path::new(sandbox_key).parent()?;
    let id = network_id.get(..10)?;
    Some(dir.join(format!("1-{id}")).to_string_lossy().into_owned())
}

fn netlink(op: &'static str) -> impl FnOnce(archipel_netlink::NetlinkError) -> RuntimeError {
    move |e| RuntimeError::Failed { op, source: Box::new(e) }
}

impl SiteBridges {
    /// The bridge of Pop network `network` of popd `instance`: `ip link add ap-HASH type
    /// bridge && ip link set ap-HASH [mtu M] up` in the site's namespace, kept when it exists.
    pub(super) async fn ensure(
        &self,
        instance: &str,
        network: &str,
        mtu: Option<u32>,
    ) -> Result<String, RuntimeError> {
        let bridge = bridge_name(instance, network);
        let ns = self.netns.as_deref();
        let made = self.nl.ensure_bridge(ns, &bridge, mtu).await;
        made.map_err(netlink("create the site's bridge"))?;
        self.nl.set_up(ns, &bridge).await.map_err(netlink("create the site's bridge"))?;
        Ok(bridge)
    }

    /// `ip link del as-HASH` for each of `nodes`, then `ip link del ap-HASH`; what is missing
    /// is fine. The veths go first: a node's overlay namespace outlives its last container for
    /// a while, and with it the pair.
    pub(super) async fn remove(
        &self,
        instance: &str,
        network: &str,
        nodes: &[&str],
    ) -> Result<(), RuntimeError> {
        let ns = self.netns.as_deref();
        let op = "remove the site's bridge";
        for node in nodes {
            let port = port_name(instance, network, node);
            self.nl.delete_link(ns, &port).await.map_err(netlink(op))?;
        }
        self.nl.delete_link(ns, &bridge_name(instance, network)).await.map_err(netlink(op))
    }

    /// Links node `node`'s namespace `overlay` of Pop network `network` to the site's bridge:
    /// `ip link add as-HASH type veth peer name ap-site netns OVERLAY && nsenter
    /// --net=OVERLAY ip link set ap-site master br0 up && ip link set as-HASH master ap-HASH
    /// up`. Kept as it is when the pair is there.
    pub(super) async fn link(
        &self,
        instance: &str,
        network: &str,
        node: &str,
        overlay: &str,
    ) -> Result<(), RuntimeError> {
        let bridge = bridge_name(instance, network);
        let port = port_name(instance, network, node);
        let ns = self.netns.as_deref();
        let op = "link a node to the site's bridge";
        self.nl.ensure_veth(ns, &port, OVERLAY_PORT, Some(overlay)).await.map_err(netlink(op))?;
        let there = Some(overlay);
        self.nl.set_master(there, OVERLAY_PORT, Some(OVERLAY_BRIDGE)).await.map_err(netlink(op))?;
        self.nl.set_up(there, OVERLAY_PORT).await.map_err(netlink(op))?;
        self.nl.set_master(ns, &port, Some(&bridge)).await.map_err(netlink(op))?;
        self.nl.set_up(ns, &port).await.map_err(netlink(op))
    }
}

/// The site's end of node `node`'s veth of a network: `as-` and 12 hex digits, 15 characters.
fn port_name(instance: &str, network: &str, node: &str) -> String {
    let hashed = bridge_name(instance, &format!("{network}\0{node}"));
    format!("as-{}", &hashed[3..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlay_s_namespace_is_beside_the_container_s() {
        let key = "/var/run/docker/netns/0123456789ab";
        let id = "abcdef0123456789abcdef";
        assert_eq!(overlay_netns(key, id).unwrap(), "/var/run/docker/netns/1-abcdef0123");
        assert_eq!(overlay_netns(key, "short"), None);
    }

    #[test]
    fn ports_are_named_per_network_and_node() {
        let port = port_name("site-a", "net1", "n1");
        assert!(port.starts_with("as-") && port.len() == 15, "{port}");
        assert_ne!(port, port_name("site-a", "net1", "n2"));
        assert_ne!(port, port_name("site-a", "net2", "n1"));
    }
}
