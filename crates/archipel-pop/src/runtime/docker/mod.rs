//! The Docker Engine runtime: Pop networks are Docker bridge networks whose Linux bridge Archipel
//! names, Pop containers are Docker containers labelled with the popd instance and their Pop id.

use std::path::Path;
use std::time::Duration;

use bollard::Docker;
use futures::stream::BoxStream;

use super::{
    ExecOutput, ExecSpec, ImageInfo, LogOutput, ManagedWorkload, NetworkAttachment, NetworkSpec,
    Runtime, RuntimeError, RuntimeEvent, StartSpec, Started, Stopped,
};

mod container;
mod events;
mod exec;
mod image;
mod managed;
mod network;
mod site_bridge;
mod swarm;

pub use swarm::{SwarmNode, SwarmRuntime};

/// Errors of the Docker runtime that Docker itself does not report; they travel as the source
/// of a [`RuntimeError::Failed`].
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("docker cannot change the mtu of network {network} in place (it has {current}, {wanted} is wanted); remove and recreate the network")]
    MtuImmutable { network: String, current: String, wanted: u32 },
    #[error("network {0} does not exist in docker")]
    NetworkMissing(String),
    #[error("network {network}'s subnet {subnet} is too small for a Swarm of {nodes} nodes: Swarm takes an address per node at its top, besides the gateway; give a wider subnet")]
    SubnetTooSmall { network: String, subnet: ipnet::Ipv4Net, nodes: usize },
}

/// A popd's view of the local Docker Engine. `instance` names the popd: everything it creates
/// carries the label `archipel.popd=<instance>`, so several popds can share one engine.
#[derive(Debug, Clone)]
pub struct DockerRuntime {
    docker: Docker,
    instance: String,
}

impl DockerRuntime {
    /// Connects to the engine at its local socket (`/var/run/docker.sock`, or `DOCKER_HOST` if
    /// it names a `unix://` socket) and checks that it answers.
    pub async fn connect(instance: &str) -> Result<DockerRuntime, RuntimeError> {
        let socket = std::env::var("DOCKER_HOST")
            .ok()
            .and_then(|host| host.strip_prefix("unix://").map(str::to_owned))
            .unwrap_or_else(|| "/var/run/docker.sock".to_owned());
        let unavailable = |e: bollard::errors::Error| RuntimeError::Unavailable {
            what: format!("cannot reach the Docker Engine at {socket}; is dockerd running?"),
            source: Box::new(e),
        };
        let docker = Docker::connect_with_local_defaults().map_err(unavailable)?;
        docker.ping().await.map_err(unavailable)?;
        Ok(DockerRuntime { docker, instance: instance.to_owned() })
    }

    /// The popd instance this runtime labels its networks and containers with.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Removes every container and network labelled with this instance: what a popd that is
    /// gone for good leaves in the engine (`docker rm -f` and `docker network rm` of each).
    pub async fn sweep(&self) -> Result<(), RuntimeError> {
        for workload in managed::list_managed(&self.docker, &self.instance).await? {
            container::remove(&self.docker, &workload.runtime_id).await?;
        }
        network::remove_labelled(&self.docker, &self.instance).await
    }
}

#[async_trait::async_trait]
impl Runtime for DockerRuntime {
    fn kind(&self) -> &'static str {
        "docker"
    }

    async fn ensure_network(&self, spec: &NetworkSpec) -> Result<NetworkAttachment, RuntimeError> {
        network::ensure(&self.docker, &self.instance, spec, network::Driver::Bridge).await
    }

    async fn update_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        network::update(&self.docker, spec).await
    }

    async fn remove_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        network::remove(&self.docker, spec).await
    }

    async fn images(&self) -> Result<Vec<ImageInfo>, RuntimeError> {
        image::list(&self.docker).await
    }

    async fn image(&self, reference: &str) -> Result<Option<ImageInfo>, RuntimeError> {
        image::lookup(&self.docker, reference).await
    }

    async fn import_image(&self, _src: &Path) -> Result<ImageInfo, RuntimeError> {
        Err(RuntimeError::Unsupported {
            what: "the docker runtime imports no image directories: put the image into the \
                   site's Docker Engine instead (`docker build`, `docker load` or `docker pull`)"
                .to_owned(),
        })
    }

    async fn start(&self, spec: &StartSpec) -> Result<Started, RuntimeError> {
        container::start(&self.docker, &self.instance, spec).await
    }

    async fn stop(
        &self,
        runtime_id: &str,
        timeout: Duration,
    ) -> Result<Option<Stopped>, RuntimeError> {
        container::stop(&self.docker, runtime_id, timeout).await
    }

    async fn remove(&self, runtime_id: &str) -> Result<(), RuntimeError> {
        container::remove(&self.docker, runtime_id).await
    }

    async fn list_managed(&self) -> Result<Vec<ManagedWorkload>, RuntimeError> {
        managed::list_managed(&self.docker, &self.instance).await
    }

    async fn logs(
        &self,
        runtime_id: &str,
        tail: Option<u32>,
        max_bytes: usize,
    ) -> Result<LogOutput, RuntimeError> {
        managed::logs(&self.docker, runtime_id, tail, max_bytes).await
    }

    async fn exec(&self, runtime_id: &str, spec: &ExecSpec) -> Result<ExecOutput, RuntimeError> {
        exec::exec(&self.docker, runtime_id, spec).await
    }

    fn events(&self) -> BoxStream<'static, RuntimeEvent> {
        events::exits(&self.docker, &self.instance)
    }
}

/// The HTTP status of an error the engine answered with.
fn status(error: &bollard::errors::Error) -> Option<u16> {
    match error {
        bollard::errors::Error::DockerResponseServerError { status_code, .. } => Some(*status_code),
        _ => None,
    }
}

fn is_not_found(error: &bollard::errors::Error) -> bool {
    status(error) == Some(404)
}

/// Wraps an engine error as the failure of `op`.
fn failed(op: &'static str) -> impl FnOnce(bollard::errors::Error) -> RuntimeError {
    move |e| RuntimeError::Failed { op, source: Box::new(e) }
}
