//! Keeps the registry true to the runtime. At start-up, [`recover`] re-adopts what still runs
//! and settles the rest; afterwards a background task follows the runtime's exit events and
//! polls its workloads as a fallback, so that a workload that ends by itself moves its
//! container to a final state and frees its addresses.

mod recover;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use tokio::task::JoinHandle;

use crate::error::chain;
use crate::model::ContainerState;
use crate::registry::Pop;
use crate::runtime::{RuntimeEvent, WorkloadState};

pub use recover::recover;

/// Why a workload the kernel killed for its memory ended.
const OOM: &str = "out of memory: the kernel killed it at its flavour's memory limit";

/// Follows the runtime until [`Pop::close`]. The runtime's events are subscribed to before
/// this returns, so no exit after it is missed.
pub fn spawn(pop: Pop, poll_interval: Duration) -> JoinHandle<()> {
    let mut events = pop.runtime().events();
    tokio::spawn(async move {
        let mut events_open = true;
        let mut tick = tokio::time::interval(poll_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let closed = pop.closed();
        tokio::pin!(closed);
        loop {
            tokio::select! {
                _ = &mut closed => return,
                event = events.next(), if events_open => match event {
                    Some(RuntimeEvent::Exited { pop_id, runtime_id, code, oom_killed }) => {
                        let why = if oom_killed { OOM } else { "" };
                        if let Err(e) = pop.workload_ended(&pop_id, &runtime_id, Some(code), why) {
                            tracing::warn!(error = %chain(&e), "recording an exit failed");
                        }
                    }
                    None => events_open = false,
                },
                _ = tick.tick() => poll_once(&pop).await,
            }
        }
    })
}

/// One pass over the runtime's workloads.
pub async fn poll_once(pop: &Pop) {
    // Records unchanged since before the listing are the only ones it can judge.
    let seq = pop.seq();
    let workloads = match pop.runtime().list_managed().await {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %chain(&e), "listing the runtime's workloads failed");
            return;
        }
    };
    let by_id: HashMap<&str, _> = workloads.iter().map(|w| (w.runtime_id.as_str(), w)).collect();
    let (running, finished, known) = {
        let st = pop.lock();
        let mut running = Vec::new();
        let mut finished = Vec::new();
        for slot in st.containers.values() {
            let r = &slot.record;
            let Some(rid) = r.runtime_id.clone() else { continue };
            match r.state {
                ContainerState::Running if slot.seq <= seq => running.push((r.id.clone(), rid)),
                ContainerState::Exited | ContainerState::Failed => finished.push(rid),
                _ => {}
            }
        }
        let known: HashSet<String> = st.containers.keys().cloned().collect();
        (running, finished, known)
    };
    for (id, rid) in running {
        let ended = match by_id.get(rid.as_str()).map(|w| (w.state, w.oom_killed)) {
            Some((WorkloadState::Running, _)) => continue,
            Some((WorkloadState::Exited { code }, oom)) => {
                pop.workload_ended(&id, &rid, Some(code), if oom { OOM } else { "" })
            }
            None => {
                pop.workload_ended(&id, &rid, None, "the workload disappeared from the runtime")
            }
        };
        if let Err(e) = ended {
            tracing::warn!(container = %id, error = %chain(&e), "recording an exit failed");
        }
    }
    let stop_timeout = pop.settings().stop_timeout;
    for rid in finished {
        if by_id.get(rid.as_str()).is_some_and(|w| w.state == WorkloadState::Running) {
            tracing::warn!(runtime_id = %rid, "the workload of a finished container runs; stopping it");
            if let Err(e) = pop.runtime().stop(&rid, stop_timeout).await {
                tracing::warn!(runtime_id = %rid, error = %chain(&e), "stopping it failed");
            }
        }
    }
    for w in workloads.iter().filter(|w| !known.contains(&w.pop_id)) {
        tracing::info!(runtime_id = %w.runtime_id, pop_id = %w.pop_id, "removing an orphan workload");
        if let Err(e) = pop.runtime().remove(&w.runtime_id).await {
            tracing::warn!(runtime_id = %w.runtime_id, error = %chain(&e), "removing it failed");
        }
    }
}

#[cfg(test)]
mod tests;
