//! What a popd finds of its containers in the engine: which exist, in which state, their output.

use std::collections::HashMap;

use bollard::container::{ListContainersOptions, LogsOptions};
use bollard::Docker;
use futures::TryStreamExt;

use super::container::{exit_code, inspect, not_found_or, started_at};
use super::failed;
use crate::runtime::{
    append_tail, LogOutput, ManagedWorkload, RuntimeError, WorkloadState, LABEL_POPD, LABEL_POP_ID,
};

/// Equals `docker ps --all --filter label=archipel.popd=I`, then `docker inspect` of each for
/// its exit code and start time. A container labelled without a Pop id is listed with an empty
/// one, so that popd sees it as an orphan.
pub(super) async fn list_managed(
    docker: &Docker,
    instance: &str,
) -> Result<Vec<ManagedWorkload>, RuntimeError> {
    let label = format!("{LABEL_POPD}={instance}");
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: HashMap::from([("label", vec![label.as_str()])]),
            ..Default::default()
        }))
        .await
        .map_err(failed("list containers"))?;
    let mut managed = Vec::with_capacity(containers.len());
    for container in containers {
        let Some(id) = container.id else { continue };
        let info = match inspect(docker, &id).await {
            Ok(info) => info,
            // Removed since it was listed.
            Err(RuntimeError::WorkloadNotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        let state = info.state.clone().unwrap_or_default();
        // A paused or restarting container still holds its addresses: it counts as running.
        let alive = [state.running, state.paused, state.restarting].contains(&Some(true));
        managed.push(ManagedWorkload {
            pop_id: container.labels.unwrap_or_default().remove(LABEL_POP_ID).unwrap_or_default(),
            state: if alive {
                WorkloadState::Running
            } else {
                WorkloadState::Exited { code: exit_code(state.exit_code.unwrap_or_default()) }
            },
            started_at: started_at(&info),
            oom_killed: state.oom_killed == Some(true),
            runtime_id: id,
        });
    }
    Ok(managed)
}

/// Equals `docker logs [--tail N] ID`: stdout and stderr, interleaved as Docker stored them.
pub(super) async fn logs(
    docker: &Docker,
    id: &str,
    tail: Option<u32>,
    max_bytes: usize,
) -> Result<LogOutput, RuntimeError> {
    let options = LogsOptions {
        stdout: true,
        stderr: true,
        tail: tail.map_or_else(|| "all".to_owned(), |n| n.to_string()),
        ..Default::default()
    };
    docker
        .logs(id, Some(options))
        .map_err(|e| not_found_or(e, id, "read container logs"))
        .try_fold(LogOutput::default(), |mut out, chunk| {
            // Only the last `max_bytes` are kept as the stream goes by.
            out.truncated |= append_tail(&mut out.output, chunk.as_ref(), max_bytes);
            futures::future::ready(Ok(out))
        })
        .await
}
