//! Pop containers as Docker containers: start, stop, remove.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use bollard::container::{
    Config, CreateContainerOptions, InspectContainerOptions, NetworkingConfig,
    RemoveContainerOptions, StartContainerOptions, StopContainerOptions,
};
use bollard::models::{ContainerInspectResponse, EndpointIpamConfig, EndpointSettings, HostConfig};
use bollard::network::ConnectNetworkOptions;
use bollard::Docker;
use tracing::warn;

use super::{failed, image, is_not_found};
use crate::runtime::{
    EndpointSpec, RuntimeError, StartSpec, Started, Stopped, LABEL_POPD, LABEL_POP_ID,
};

/// The exit code of a process ended by SIGKILL (128 + 9).
const KILLED: i64 = 137;

/// Creates and starts the container; on any failure removes what was created.
///
/// Equals `docker create --name NAME --env K=V… --label archipel.popd=I --label
/// archipel.pop-id=P --network NET1 --ip ADDR1 IMAGE`, then `docker network connect --ip ADDRn
/// NETn NAME` for each further endpoint, then `docker start NAME`. No restart policy: popd
/// decides what happens to a workload that ends.
pub(super) async fn start(
    docker: &Docker,
    instance: &str,
    spec: &StartSpec,
) -> Result<Started, RuntimeError> {
    let image = image::lookup(docker, &spec.image)
        .await?
        .ok_or_else(|| RuntimeError::ImageNotFound(spec.image.clone()))?;
    let created = docker
        .create_container(
            Some(CreateContainerOptions { name: spec.name.as_str(), platform: None }),
            config(instance, spec, image::create_reference(&image, &spec.image)),
        )
        .await
        .map_err(failed("create container"))?;
    match connect_and_start(docker, &created.id, spec).await {
        Ok(started) => Ok(started),
        Err(error) => {
            if let Err(cleanup) = remove(docker, &created.id).await {
                warn!(container = %created.id, error = %cleanup, "cannot remove a container that failed to start");
            }
            Err(error)
        }
    }
}

fn config(instance: &str, spec: &StartSpec, image: String) -> Config<String> {
    let first = spec.endpoints.first();
    Config {
        image: Some(image),
        env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
        labels: Some(HashMap::from([
            (LABEL_POPD.to_owned(), instance.to_owned()),
            (LABEL_POP_ID.to_owned(), spec.pop_id.clone()),
        ])),
        host_config: Some(HostConfig {
            network_mode: Some(
                first.map_or_else(|| "none".to_owned(), |e| e.network_runtime_id.clone()),
            ),
            // The flavour's limits, as `docker run --memory B --memory-swap B --cpus C
            // --pids-limit N` (no swap beyond the memory, as on the native runtime).
            memory: spec.limits.memory_bytes.and_then(|b| i64::try_from(b).ok()),
            memory_swap: spec.limits.memory_bytes.and_then(|b| i64::try_from(b).ok()),
            nano_cpus: spec.limits.cpu_millis.and_then(|m| i64::try_from(m * 1_000_000).ok()),
            pids_limit: spec.limits.pids.and_then(|n| i64::try_from(n).ok()),
            ..Default::default()
        }),
        networking_config: first.map(|e| NetworkingConfig {
            endpoints_config: HashMap::from([(e.network_runtime_id.clone(), endpoint(e))]),
        }),
        ..Default::default()
    }
}

fn endpoint(spec: &EndpointSpec) -> EndpointSettings {
    EndpointSettings {
        ipam_config: Some(EndpointIpamConfig {
            ipv4_address: Some(spec.address.to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn connect_and_start(
    docker: &Docker,
    id: &str,
    spec: &StartSpec,
) -> Result<Started, RuntimeError> {
    for endpoint_spec in spec.endpoints.iter().skip(1) {
        docker
            .connect_network(
                &endpoint_spec.network_runtime_id,
                ConnectNetworkOptions { container: id, endpoint_config: endpoint(endpoint_spec) },
            )
            .await
            .map_err(failed("connect container to network"))?;
    }
    start_once_free(docker, id).await?;
    let info = inspect(docker, id).await?;
    let started_at = started_at(&info);
    let networks = info.network_settings.and_then(|settings| settings.networks).unwrap_or_default();
    // Docker keys its endpoints by network name; match them by id to the Pop networks.
    let macs = spec
        .endpoints
        .iter()
        .filter_map(|e| {
            let settings = networks
                .values()
                .find(|s| s.network_id.as_deref() == Some(&e.network_runtime_id))?;
            let mac = settings.mac_address.clone().filter(|m| !m.is_empty())?;
            Some((e.network.clone(), mac))
        })
        .collect::<BTreeMap<_, _>>();
    Ok(Started { runtime_id: id.to_owned(), started_at, macs })
}

/// How long a start waits for the engine to let go of an address. popd frees a container's
/// addresses at its `die` event, and the engine releases the endpoint just after sending it: a
/// container given such an address at once can be refused ("Address already in use", seen in CI).
const ADDRESS_RELEASE: Duration = Duration::from_secs(3);

/// Equals `docker start ID`, again every 20 ms while the engine still holds an address the
/// container is given and `ADDRESS_RELEASE` has not passed.
async fn start_once_free(docker: &Docker, id: &str) -> Result<(), RuntimeError> {
    let deadline = Instant::now() + ADDRESS_RELEASE;
    loop {
        match docker.start_container(id, None::<StartContainerOptions<String>>).await {
            Err(e) if address_in_use(&e) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            result => return result.map_err(failed("start container")),
        }
    }
}

fn address_in_use(error: &bollard::errors::Error) -> bool {
    matches!(error, bollard::errors::Error::DockerResponseServerError { status_code: 403, message }
        if message.contains("Address already in use"))
}

/// Equals `docker stop --time T ID` (T: the timeout in seconds, rounded up, at least 1), then
/// reads the exit code. `killed` is true when the code is 137 (SIGKILL) and Docker does not
/// report an OOM kill: Docker does not say whether it had to kill, and a workload that exits
/// 137 by itself is indistinguishable.
pub(super) async fn stop(
    docker: &Docker,
    id: &str,
    timeout: Duration,
) -> Result<Option<Stopped>, RuntimeError> {
    let state = inspect(docker, id).await?.state.unwrap_or_default();
    if state.running != Some(true) {
        return Ok(state.exit_code.map(|code| Stopped { code: exit_code(code), killed: false }));
    }
    let seconds = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    // The request lasts as long as the stop: give it more than bollard's default two minutes.
    let client = docker.clone().with_timeout(Duration::from_secs(seconds + 120));
    client
        .stop_container(
            id,
            Some(StopContainerOptions { t: i64::try_from(seconds).unwrap_or(i64::MAX) }),
        )
        .await
        .map_err(|e| not_found_or(e, id, "stop container"))?;
    let state = inspect(docker, id).await?.state.unwrap_or_default();
    Ok(state.exit_code.map(|code| Stopped {
        code: exit_code(code),
        killed: code == KILLED && state.oom_killed != Some(true),
    }))
}

/// Equals `docker rm --force --volumes ID`; a missing container is not an error.
pub(super) async fn remove(docker: &Docker, id: &str) -> Result<(), RuntimeError> {
    let options = RemoveContainerOptions { v: true, force: true, link: false };
    match docker.remove_container(id, Some(options)).await {
        Err(e) if !is_not_found(&e) => Err(failed("remove container")(e)),
        _ => Ok(()),
    }
}

/// Equals `docker inspect ID`; a missing container is [`RuntimeError::WorkloadNotFound`].
pub(super) async fn inspect(
    docker: &Docker,
    id: &str,
) -> Result<ContainerInspectResponse, RuntimeError> {
    docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(|e| not_found_or(e, id, "inspect container"))
}

pub(super) fn not_found_or(
    error: bollard::errors::Error,
    id: &str,
    op: &'static str,
) -> RuntimeError {
    if is_not_found(&error) {
        RuntimeError::WorkloadNotFound(id.to_owned())
    } else {
        failed(op)(error)
    }
}

/// Unix seconds of the last start; 0 if it never started.
pub(super) fn started_at(info: &ContainerInspectResponse) -> i64 {
    info.state
        .as_ref()
        .and_then(|state| state.started_at.as_deref())
        .and_then(archipel_daemon::ids::parse_rfc3339)
        .filter(|&t| t > 0)
        .unwrap_or(0)
}

/// Docker's exit code as the trait's (codes are 0 to 255; anything else would be a bug: -1).
pub(super) fn exit_code(code: i64) -> i32 {
    i32::try_from(code).unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use bollard::errors::Error;

    use super::address_in_use;

    #[test]
    fn only_an_address_in_use_is_waited_out() {
        let refused = |status_code: u16, message: &str| Error::DockerResponseServerError {
            status_code,
            message: message.to_owned(),
        };
        assert!(address_in_use(&refused(403, "Address already in use")));
        assert!(!address_in_use(&refused(403, "operation not permitted")));
        assert!(!address_in_use(&refused(500, "Address already in use")));
    }
}
