use std::collections::HashMap;

use crate::error::{chain, PopError};
use crate::model::ContainerState;
use crate::registry::Pop;
use crate::runtime::{ManagedWorkload, WorkloadState};

/// Settles the registry against the runtime after a start: a RUNNING container whose workload
/// still runs is re-adopted (never restarted); one whose workload ended or vanished gets its
/// final state; a STOPPING one is stopped to the end; every workload of this instance that no
/// record owns is removed. Fails only if the runtime cannot list its workloads.
pub async fn recover(pop: &Pop) -> Result<(), PopError> {
    let workloads = pop.runtime().list_managed().await?;
    let by_id: HashMap<&str, &ManagedWorkload> =
        workloads.iter().map(|w| (w.runtime_id.as_str(), w)).collect();
    let records: Vec<_> = pop
        .lock()
        .containers
        .values()
        .map(|s| {
            (
                s.record.id.clone(),
                s.record.name.clone(),
                s.record.state,
                s.record.runtime_id.clone(),
            )
        })
        .collect();
    let mut owned = HashMap::new();
    for (id, name, state, rid) in records {
        let Some(rid) = rid else { continue };
        let found = by_id.get(rid.as_str()).map(|w| w.state);
        match (state, found) {
            (ContainerState::Running, Some(WorkloadState::Running)) => {
                tracing::info!(container = %name, runtime_id = %rid, "re-adopted a running workload");
            }
            (ContainerState::Running, Some(WorkloadState::Exited { code })) => {
                pop.workload_ended(&id, &rid, Some(code), "")?;
            }
            (ContainerState::Running, None) => {
                pop.workload_ended(&id, &rid, None, "the workload vanished while popd was down")?;
            }
            // The stop was asked and acknowledged: it ends EXITED like any requested stop.
            (ContainerState::Stopping, Some(WorkloadState::Running)) => {
                if let Err(e) = pop.finish_stop(&id, &rid, None).await {
                    tracing::warn!(container = %name, error = %chain(&e), "finishing a stop failed");
                }
            }
            (ContainerState::Stopping, Some(WorkloadState::Exited { code })) => {
                let status = format!("stopped: exited with code {code}");
                pop.settle(&id, &rid, state, ContainerState::Exited, Some(code), status)?;
            }
            (ContainerState::Stopping, None) => {
                let status = "the workload vanished while popd was stopping it".to_owned();
                pop.settle(&id, &rid, state, ContainerState::Failed, None, status)?;
            }
            _ => {}
        }
        // A CREATED record owns no workload: one labelled for it is a start cut short.
        if state != ContainerState::Created {
            owned.insert(rid, id);
        }
    }
    for w in &workloads {
        if owned.get(&w.runtime_id) == Some(&w.pop_id) {
            continue;
        }
        tracing::info!(runtime_id = %w.runtime_id, pop_id = %w.pop_id, "removing an orphan workload");
        if let Err(e) = pop.runtime().remove(&w.runtime_id).await {
            tracing::warn!(runtime_id = %w.runtime_id, error = %chain(&e), "removing it failed");
        }
    }
    Ok(())
}
