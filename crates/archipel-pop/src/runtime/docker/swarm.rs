//! A Docker Swarm cluster as one site (the Multi-Swarm paper's sites): Pop networks are
//! attachable overlay networks made through the manager, Pop containers are standalone
//! containers made through the engine of the node chosen for them, with their reserved
//! address on the overlay.
//!
//! With a site namespace (`popd --netns`), each Pop network also has a bridge of the site's
//! own there, linked to every node that holds a container of it ([`site_bridge`]): the
//! agent extends that bridge to other sites. This needs the nodes' namespaces on popd's host.
//!
//! Not Swarm services: a service's task cannot be given an address (moby/moby#24170), so the
//! thesis's address reserved at Create could not hold, and Swarm would restart or reschedule a
//! task that popd means to report as ended. Popd places each container itself, on the node
//! that runs the fewest of its containers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use archipel_netlink::Netlink;
use bollard::container::ListContainersOptions;
use bollard::Docker;
use futures::stream::{self, BoxStream};
use futures::StreamExt;

use super::site_bridge::{overlay_netns, SiteBridges};
use super::{container, events, exec, failed, image, managed, network};
use crate::runtime::{
    ExecOutput, ExecSpec, ImageInfo, LogOutput, ManagedWorkload, NetworkAttachment, NetworkSpec,
    Runtime, RuntimeError, RuntimeEvent, StartSpec, Started, Stopped, LABEL_POPD,
};

/// One node of the cluster: its name and its engine's socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmNode {
    pub name: String,
    /// The engine's local socket (`unix:///path` or a path).
    pub socket: String,
}

impl std::str::FromStr for SwarmNode {
    type Err = String;

    /// `NAME=unix:///path/docker.sock`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, socket) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?} is not NAME=unix:///path/to/docker.sock"))?;
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
        if name.is_empty() || name.len() > 64 || !name.chars().all(valid) {
            return Err(format!(
                "node name {name:?} must be 1 to 64 letters, digits, '-', '_' or '.'"
            ));
        }
        if socket.is_empty() {
            return Err(format!("node {name} names no socket"));
        }
        Ok(Self { name: name.to_owned(), socket: socket.to_owned() })
    }
}

#[derive(Debug, Clone)]
struct Node {
    name: String,
    docker: Docker,
}

/// A popd's view of a Swarm cluster: the first node is a manager, where networks are made.
#[derive(Debug, Clone)]
pub struct SwarmRuntime {
    nodes: Vec<Node>,
    instance: String,
    site: Option<SiteBridges>,
}

/// A workload's runtime id: the node's name, `/`, the container's id on that node.
fn runtime_id(node: &str, id: &str) -> String {
    format!("{node}/{id}")
}

impl SwarmRuntime {
    /// Connects to every node's engine and checks that each answers and that the first is a
    /// manager of the Swarm.
    pub async fn connect(instance: &str, nodes: &[SwarmNode]) -> Result<Self, RuntimeError> {
        if nodes.is_empty() {
            return Err(unavailable("no node: give the manager first, then the workers", None));
        }
        let mut connected = Vec::with_capacity(nodes.len());
        for node in nodes {
            let path = node.socket.strip_prefix("unix://").unwrap_or(&node.socket);
            let cannot = |e| {
                let what = format!("cannot reach node {}'s Docker Engine at {path}", node.name);
                unavailable(&what, Some(e))
            };
            let docker = Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
                .map_err(cannot)?;
            docker.ping().await.map_err(cannot)?;
            connected.push(Node { name: node.name.clone(), docker });
        }
        let info = connected[0].docker.info().await.map_err(failed("docker info"))?;
        let manager = info.swarm.and_then(|s| s.control_available).unwrap_or(false);
        if !manager {
            let what = format!(
                "node {} is no manager of a Swarm: give a manager first (docker swarm init)",
                connected[0].name
            );
            return Err(unavailable(&what, None));
        }
        Ok(Self { nodes: connected, instance: instance.to_owned(), site: None })
    }

    /// Gives each Pop network a bridge in the site's namespace `netns` (the host's own for
    /// None), made through `nl` and linked to every node holding a container of it.
    #[must_use]
    pub fn with_site_bridges(mut self, netns: Option<String>, nl: Arc<dyn Netlink>) -> Self {
        self.site = Some(SiteBridges { netns, nl });
        self
    }

    /// Links the overlay namespaces of container `id` on `node` to the site's bridges.
    async fn link_to_site(
        &self,
        node: &Node,
        id: &str,
        spec: &StartSpec,
    ) -> Result<(), RuntimeError> {
        let Some(site) = &self.site else { return Ok(()) };
        let inspected = node.docker.inspect_container(id, None).await;
        let inspected = inspected.map_err(failed("inspect container"))?;
        let key = inspected.network_settings.and_then(|n| n.sandbox_key).unwrap_or_default();
        for endpoint in &spec.endpoints {
            let overlay = overlay_netns(&key, &endpoint.network_runtime_id).ok_or_else(|| {
                let what =
                    format!("no namespace of network {} on node {}", endpoint.network, node.name);
                unavailable(&what, None)
            })?;
            site.link(&self.instance, &endpoint.network, &node.name, &overlay).await?;
        }
        Ok(())
    }

    fn manager(&self) -> &Docker {
        &self.nodes[0].docker
    }

    /// The node and the container id of a runtime id.
    fn locate<'a>(&self, id: &'a str) -> Result<(&Docker, &'a str), RuntimeError> {
        id.split_once('/')
            .and_then(|(name, id)| Some((&self.nodes.iter().find(|n| n.name == name)?.docker, id)))
            .ok_or_else(|| RuntimeError::WorkloadNotFound(id.to_owned()))
    }

    /// The node running the fewest of this popd's containers (the first of equals).
    async fn least_loaded(&self) -> Result<&Node, RuntimeError> {
        let label = format!("{LABEL_POPD}={}", self.instance);
        let mut best: Option<(usize, &Node)> = None;
        for node in &self.nodes {
            let options = ListContainersOptions {
                all: true,
                filters: HashMap::from([("label", vec![label.as_str()])]),
                ..Default::default()
            };
            let held = node.docker.list_containers(Some(options)).await;
            let held = held.map_err(failed("list containers"))?.len();
            if best.is_none_or(|(fewest, _)| held < fewest) {
                best = Some((held, node));
            }
        }
        Ok(best.expect("a node at least").1)
    }
}

fn unavailable(what: &str, source: Option<bollard::errors::Error>) -> RuntimeError {
    let source: Box<dyn std::error::Error + Send + Sync> = match source {
        Some(e) => Box::new(e),
        None => what.into(),
    };
    RuntimeError::Unavailable { what: what.to_owned(), source }
}

#[async_trait::async_trait]
impl Runtime for SwarmRuntime {
    fn kind(&self) -> &'static str {
        "swarm"
    }

    async fn ensure_network(&self, spec: &NetworkSpec) -> Result<NetworkAttachment, RuntimeError> {
        let driver = network::Driver::Overlay { nodes: self.nodes.len() };
        let overlay = network::ensure(self.manager(), &self.instance, spec, driver).await?;
        let Some(site) = &self.site else { return Ok(overlay) };
        match site.ensure(&self.instance, &spec.name, spec.mtu).await {
            Ok(bridge) => Ok(NetworkAttachment { bridge, netns: site.netns.clone(), ..overlay }),
            Err(err) => {
                let _ = network::remove(self.manager(), spec).await;
                Err(err)
            }
        }
    }

    async fn update_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        network::update(self.manager(), spec).await
    }

    async fn remove_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        network::remove(self.manager(), spec).await?;
        match &self.site {
            Some(site) => {
                let nodes: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
                site.remove(&self.instance, &spec.name, &nodes).await
            }
            None => Ok(()),
        }
    }

    /// The images every node holds: a container may be placed on any.
    async fn images(&self) -> Result<Vec<ImageInfo>, RuntimeError> {
        let mut images = image::list(self.manager()).await?;
        for node in &self.nodes[1..] {
            let there = image::list(&node.docker).await?;
            images.retain(|i| there.iter().any(|t| t.id == i.id));
        }
        Ok(images)
    }

    async fn image(&self, reference: &str) -> Result<Option<ImageInfo>, RuntimeError> {
        let mut found = None;
        for node in &self.nodes {
            match image::lookup(&node.docker, reference).await? {
                Some(info) => found = found.or(Some(info)),
                None => return Ok(None),
            }
        }
        Ok(found)
    }

    async fn import_image(&self, _src: &Path) -> Result<ImageInfo, RuntimeError> {
        Err(RuntimeError::Unsupported {
            what: "the swarm runtime imports no image directories: load the image into every \
                   node's Docker Engine instead (`docker load` or `docker pull` on each)"
                .to_owned(),
        })
    }

    async fn start(&self, spec: &StartSpec) -> Result<Started, RuntimeError> {
        let node = self.least_loaded().await?;
        let started = container::start(&node.docker, &self.instance, spec).await?;
        if let Err(err) = self.link_to_site(node, &started.runtime_id, spec).await {
            if let Err(cleanup) = container::remove(&node.docker, &started.runtime_id).await {
                tracing::warn!(container = %spec.name, error = %cleanup, "cannot remove a container not linked to the site");
            }
            return Err(err);
        }
        tracing::info!(container = %spec.name, node = %node.name, "placed on a Swarm node");
        Ok(Started { runtime_id: runtime_id(&node.name, &started.runtime_id), ..started })
    }

    async fn stop(&self, id: &str, timeout: Duration) -> Result<Option<Stopped>, RuntimeError> {
        let (docker, id) = self.locate(id)?;
        container::stop(docker, id, timeout).await
    }

    async fn remove(&self, id: &str) -> Result<(), RuntimeError> {
        match self.locate(id) {
            Ok((docker, id)) => container::remove(docker, id).await,
            // Its node is no longer one of the cluster's: nothing of it can be reached.
            Err(RuntimeError::WorkloadNotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn list_managed(&self) -> Result<Vec<ManagedWorkload>, RuntimeError> {
        let mut all = Vec::new();
        for node in &self.nodes {
            for workload in managed::list_managed(&node.docker, &self.instance).await? {
                let runtime_id = runtime_id(&node.name, &workload.runtime_id);
                all.push(ManagedWorkload { runtime_id, ..workload });
            }
        }
        Ok(all)
    }

    async fn logs(
        &self,
        id: &str,
        tail: Option<u32>,
        max_bytes: usize,
    ) -> Result<LogOutput, RuntimeError> {
        let (docker, id) = self.locate(id)?;
        managed::logs(docker, id, tail, max_bytes).await
    }

    async fn exec(&self, id: &str, spec: &ExecSpec) -> Result<ExecOutput, RuntimeError> {
        let (docker, id) = self.locate(id)?;
        exec::exec(docker, id, spec).await
    }

    /// Every node's exits, merged; one node's stream ending leaves the others'.
    fn events(&self) -> BoxStream<'static, RuntimeEvent> {
        let streams = self.nodes.iter().map(|node| {
            let name = node.name.clone();
            events::exits(&node.docker, &self.instance)
                .map(move |event| match event {
                    RuntimeEvent::Exited { pop_id, runtime_id: id, code, oom_killed } => {
                        let runtime_id = runtime_id(&name, &id);
                        RuntimeEvent::Exited { pop_id, runtime_id, code, oom_killed }
                    }
                })
                .boxed()
        });
        stream::select_all(streams).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_named_and_given_a_socket() {
        let node: SwarmNode = "n1=unix:///run/n1.sock".parse().unwrap();
        assert_eq!((node.name.as_str(), node.socket.as_str()), ("n1", "unix:///run/n1.sock"));
        for (text, says) in [
            ("n1", "is not NAME=unix"),
            ("=unix:///x", "must be 1 to 64"),
            ("a/b=unix:///x", "must be 1 to 64"),
            ("n1=", "names no socket"),
        ] {
            let err = text.parse::<SwarmNode>().unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
