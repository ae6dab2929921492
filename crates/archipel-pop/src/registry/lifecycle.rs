use std::time::Duration;

use super::{detached, Pop};
use crate::error::{chain, PopError};
use crate::model::{resolve_flavour, ContainerState, PopContainer, Selector};
use crate::runtime::{EndpointSpec, RuntimeError, StartSpec, Started, Stopped};

impl Pop {
    /// Starts a CREATED container: its metadata becomes the workload's environment, its
    /// reserved addresses the workload's. Success: RUNNING. Failure: FAILED, addresses released,
    /// and the error says why.
    pub async fn start(&self, sel: &Selector) -> Result<PopContainer, PopError> {
        let (id, op) = self.op_of(sel)?;
        let this = self.clone();
        detached(async move {
            let _op = op.lock().await;
            let spec = this.start_spec(&id)?;
            match this.inner().runtime.start(&spec).await {
                Ok(started) => {
                    let runtime_id = started.runtime_id.clone();
                    let recorded = this.record_started(&id, started);
                    if recorded.is_err() {
                        // Unrecorded, the workload would run without an owner.
                        let _ = this.inner().runtime.remove(&runtime_id).await;
                    }
                    recorded
                }
                Err(e) => Err(this.record_start_failure(&id, e)),
            }
        })
        .await
    }

    fn record_started(&self, id: &str, started: Started) -> Result<PopContainer, PopError> {
        let mut st = self.lock();
        let mut record = st.slot(id)?.record.clone();
        record.transition(ContainerState::Running)?;
        record.started = Some(started.started_at);
        record.runtime_id = Some(started.runtime_id);
        for (net, mac) in started.macs {
            if let Some(ep) = record.endpoints.get_mut(&net) {
                ep.mac = Some(mac);
            }
        }
        record.extended_status = "running".into();
        self.commit(&mut st, record.clone())?;
        tracing::info!(container = %record.name, runtime_id = ?record.runtime_id, "started");
        Ok(record)
    }

    /// CREATED -> FAILED with the reason; returns the error for the caller.
    fn record_start_failure(&self, id: &str, e: RuntimeError) -> PopError {
        let reason = chain(&e);
        tracing::warn!(container = %id, error = %reason, "start failed");
        let mut st = self.lock();
        let Ok(slot) = st.slot(id) else { return e.into() };
        let mut record = slot.record.clone();
        if record.transition(ContainerState::Failed).is_ok() {
            record.extended_status = format!("start failed: {reason}");
            match self.commit(&mut st, record.clone()) {
                Ok(()) => st.release(&record),
                Err(store) => return store,
            }
        }
        e.into()
    }

    fn start_spec(&self, id: &str) -> Result<StartSpec, PopError> {
        let st = self.lock();
        let record = &st.slot(id)?.record;
        if record.state != ContainerState::Created {
            return Err(PopError::WrongState {
                container: record.name.clone(),
                state: record.state,
                rule: "only a CREATED container can be started".into(),
            });
        }
        let mut endpoints = Vec::with_capacity(record.endpoints.len());
        for (name, ep) in &record.endpoints {
            let net =
                st.networks.get(&ep.network_id).ok_or_else(|| PopError::EndpointNetworkGone {
                    network: name.clone(),
                    container: record.name.clone(),
                })?;
            endpoints.push(EndpointSpec {
                network: name.clone(),
                network_runtime_id: net.record.runtime_id.clone(),
                address: ep.address,
                prefix_len: net.record.plan.cidr().prefix_len(),
                gateway: net.record.plan.gateway(),
            });
        }
        let (_, limits) = resolve_flavour(&self.settings().flavours, &record.flavour)?;
        Ok(StartSpec {
            limits,
            pop_id: record.id.clone(),
            name: record.name.clone(),
            image: record.image.clone(),
            env: record.metadata.clone(),
            endpoints,
        })
    }

    /// Stops a RUNNING container: STOPPING, then the runtime stops the workload (killing it
    /// after `timeout`, default the configured one), then EXITED with the exit code; the
    /// addresses return to their pools.
    pub async fn stop(
        &self,
        sel: &Selector,
        timeout: Option<Duration>,
    ) -> Result<PopContainer, PopError> {
        let (id, op) = self.op_of(sel)?;
        let this = self.clone();
        detached(async move {
            let _op = op.lock().await;
            let runtime_id = this.begin_stop(&id)?;
            this.finish_stop(&id, &runtime_id, timeout).await
        })
        .await
    }

    /// RUNNING -> STOPPING; returns the workload's id.
    fn begin_stop(&self, id: &str) -> Result<String, PopError> {
        let mut st = self.lock();
        let mut record = st.slot(id)?.record.clone();
        if record.state != ContainerState::Running {
            return Err(PopError::WrongState {
                container: record.name.clone(),
                state: record.state,
                rule: "only a RUNNING container can be stopped".into(),
            });
        }
        let runtime_id = record.runtime_id.clone().unwrap_or_default();
        record.transition(ContainerState::Stopping)?;
        record.extended_status = "stopping".into();
        self.commit(&mut st, record)?;
        Ok(runtime_id)
    }

    /// Stops the workload of a STOPPING container and records the final state.
    pub(crate) async fn finish_stop(
        &self,
        id: &str,
        runtime_id: &str,
        timeout: Option<Duration>,
    ) -> Result<PopContainer, PopError> {
        let timeout = timeout.unwrap_or(self.settings().stop_timeout);
        let outcome = self.inner().runtime.stop(runtime_id, timeout).await;
        let mut st = self.lock();
        let mut record = st.slot(id)?.record.clone();
        let failure = match outcome {
            Ok(Some(Stopped { code, killed })) => {
                record.exit_code = Some(code);
                record.extended_status = if killed {
                    format!("stopped: killed after the {}s timeout", timeout.as_secs_f32())
                } else {
                    format!("stopped: exited with code {code}")
                };
                None
            }
            Ok(None) | Err(RuntimeError::WorkloadNotFound(_)) => {
                record.extended_status = "stopped: the workload had already ended".into();
                None
            }
            Err(e) => {
                record.extended_status = format!("stop failed: {}", chain(&e));
                Some(e)
            }
        };
        let last = if failure.is_some() { ContainerState::Failed } else { ContainerState::Exited };
        record.transition(last)?;
        self.commit(&mut st, record.clone())?;
        st.release(&record);
        tracing::info!(container = %record.name, state = %record.state, status = %record.extended_status, "stopped");
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(record),
        }
    }

    /// Stops the container if needed and forgets it; its workload is removed from the runtime
    /// (should that fail, the reconciler removes the orphan later).
    pub async fn delete(&self, sel: &Selector, timeout: Option<Duration>) -> Result<(), PopError> {
        let (id, op) = self.op_of(sel)?;
        let this = self.clone();
        detached(async move {
            let _op = op.lock().await;
            let (state, runtime_id) = {
                let st = this.lock();
                let record = &st.slot(&id)?.record;
                (record.state, record.runtime_id.clone())
            };
            if let Some(rid) = &runtime_id {
                let stopping = match state {
                    ContainerState::Running => this.begin_stop(&id).map(|_| true)?,
                    ContainerState::Stopping => true,
                    _ => false,
                };
                if stopping {
                    if let Err(e) = this.finish_stop(&id, rid, timeout).await {
                        tracing::warn!(container = %id, error = %chain(&e), "stop before delete failed");
                    }
                }
                if let Err(e) = this.inner().runtime.remove(rid).await {
                    tracing::warn!(container = %id, error = %chain(&e), "removing the workload failed; the reconciler retries");
                }
            }
            let mut st = this.lock();
            this.forget(&mut st, &id)?;
            tracing::info!(container = %id, "deleted");
            Ok(())
        })
        .await
    }

    /// The workload of a RUNNING container ended by itself: EXITED on code 0, else FAILED (an
    /// unknown code is FAILED); addresses released. False if the record no longer matches.
    pub(crate) fn workload_ended(
        &self,
        id: &str,
        runtime_id: &str,
        code: Option<i32>,
        why: &str,
    ) -> Result<bool, PopError> {
        let last = if code == Some(0) { ContainerState::Exited } else { ContainerState::Failed };
        let status = match code {
            Some(c) if why.is_empty() => format!("the workload exited with code {c}"),
            Some(c) => format!("the workload exited with code {c}: {why}"),
            None => why.to_owned(),
        };
        self.settle(id, runtime_id, ContainerState::Running, last, code, status)
    }

    /// Moves a container that is in state `from` with workload `runtime_id` to the final state
    /// `last` and releases its addresses; false (and no change) if the record does not match.
    pub(crate) fn settle(
        &self,
        id: &str,
        runtime_id: &str,
        from: ContainerState,
        last: ContainerState,
        code: Option<i32>,
        status: String,
    ) -> Result<bool, PopError> {
        let mut st = self.lock();
        let Ok(slot) = st.slot(id) else { return Ok(false) };
        let mut record = slot.record.clone();
        if record.state != from || record.runtime_id.as_deref() != Some(runtime_id) {
            return Ok(false);
        }
        record.transition(last)?;
        record.exit_code = code;
        record.extended_status = status;
        self.commit(&mut st, record.clone())?;
        st.release(&record);
        tracing::info!(container = %record.name, state = %record.state, status = %record.extended_status, "workload ended");
        Ok(true)
    }
}
