//! A runtime that runs nothing: it records every call and keeps workloads as plain records, so
//! that the lifecycle logic (state machine, IPAM, recovery, reconciliation) can be tested
//! without Docker. Tests make workloads end, vanish or fail through its own methods.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use futures::stream::{BoxStream, StreamExt};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

use super::{
    ExecOutput, ExecSpec, ImageInfo, LogOutput, ManagedWorkload, NetworkAttachment, NetworkSpec,
    Runtime, RuntimeError, RuntimeEvent, StartSpec, Started, Stopped, WorkloadState,
};

/// One call popd made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    EnsureNetwork(String),
    UpdateNetwork(String),
    RemoveNetwork(String),
    Start(StartSpec),
    Stop { runtime_id: String, timeout: Duration },
    Remove(String),
}

/// A workload the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeWorkload {
    pub pop_id: String,
    pub spec: Option<StartSpec>,
    pub state: WorkloadState,
    pub started_at: i64,
}

#[derive(Debug, Default)]
struct FakeState {
    images: Vec<ImageInfo>,
    networks: BTreeMap<String, NetworkSpec>,
    in_use: BTreeMap<String, Vec<Ipv4Addr>>,
    workloads: BTreeMap<String, FakeWorkload>,
    calls: Vec<Call>,
    start_failure: Option<String>,
    network_failure: Option<String>,
    list_failure: bool,
    stop_result: Option<Stopped>,
    counter: u64,
}

/// The recording fake runtime.
#[derive(Debug)]
pub struct FakeRuntime {
    state: Mutex<FakeState>,
    events: broadcast::Sender<RuntimeEvent>,
}

impl Default for FakeRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeRuntime {
    /// A runtime holding one image, `alpine:latest`.
    pub fn new() -> Self {
        let fake = Self { state: Mutex::default(), events: broadcast::channel(256).0 };
        fake.add_image("alpine:latest");
        fake
    }

    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add_image(&self, name: &str) {
        let mut s = self.lock();
        let n = s.images.len();
        s.images.push(ImageInfo {
            id: format!("sha256:{:064x}", n + 0xa1),
            names: vec![name.to_owned()],
            created: 1_600_000_000,
        });
    }

    /// The next `start` fails with this reason.
    pub fn fail_next_start(&self, reason: &str) {
        self.lock().start_failure = Some(reason.to_owned());
    }

    /// Every network operation fails with this reason until called with None.
    pub fn fail_networks(&self, reason: Option<&str>) {
        self.lock().network_failure = reason.map(str::to_owned);
    }

    /// `list_managed` fails until called with false.
    pub fn fail_listing(&self, fail: bool) {
        self.lock().list_failure = fail;
    }

    /// Addresses that `ensure_network` reports as held by workloads popd did not start.
    pub fn set_in_use(&self, network: &str, addrs: Vec<Ipv4Addr>) {
        self.lock().in_use.insert(network.to_owned(), addrs);
    }

    /// What the next stops report; default: code 0, not killed.
    pub fn set_stop_result(&self, stopped: Stopped) {
        self.lock().stop_result = Some(stopped);
    }

    /// The workload ends by itself; `announce` sends the runtime event (else only polling
    /// finds out).
    pub fn exit(&self, runtime_id: &str, code: i32, announce: bool) {
        let pop_id = {
            let mut s = self.lock();
            let Some(w) = s.workloads.get_mut(runtime_id) else { return };
            w.state = WorkloadState::Exited { code };
            w.pop_id.clone()
        };
        if announce {
            let _ = self.events.send(RuntimeEvent::Exited {
                pop_id,
                runtime_id: runtime_id.to_owned(),
                code,
                oom_killed: false,
            });
        }
    }

    /// The workload disappears behind popd's back.
    pub fn vanish(&self, runtime_id: &str) {
        self.lock().workloads.remove(runtime_id);
    }

    /// A running workload labelled for `pop_id`, as if started earlier; returns its id.
    pub fn insert_workload(&self, pop_id: &str) -> String {
        let mut s = self.lock();
        s.counter += 1;
        let id = format!("fake-{}", s.counter);
        let w = FakeWorkload {
            pop_id: pop_id.to_owned(),
            spec: None,
            state: WorkloadState::Running,
            started_at: 1_700_000_000,
        };
        s.workloads.insert(id.clone(), w);
        id
    }

    pub fn workload(&self, runtime_id: &str) -> Option<FakeWorkload> {
        self.lock().workloads.get(runtime_id).cloned()
    }

    pub fn workloads(&self) -> BTreeMap<String, FakeWorkload> {
        self.lock().workloads.clone()
    }

    pub fn networks(&self) -> Vec<NetworkSpec> {
        self.lock().networks.values().cloned().collect()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }
}

fn failed(op: &'static str, reason: &str) -> RuntimeError {
    RuntimeError::Failed { op, source: Box::new(std::io::Error::other(reason.to_owned())) }
}

#[async_trait::async_trait]
impl Runtime for FakeRuntime {
    fn kind(&self) -> &'static str {
        "fake"
    }

    async fn ensure_network(&self, spec: &NetworkSpec) -> Result<NetworkAttachment, RuntimeError> {
        let mut s = self.lock();
        s.calls.push(Call::EnsureNetwork(spec.name.clone()));
        if let Some(reason) = &s.network_failure {
            return Err(failed("ensure_network", reason));
        }
        if let Some(found) = s.networks.get(&spec.name).filter(|n| n.subnet != spec.subnet) {
            return Err(RuntimeError::NetworkConflict {
                name: spec.name.clone(),
                found: found.subnet.to_string(),
                wanted: spec.subnet,
            });
        }
        s.networks.insert(spec.name.clone(), spec.clone());
        Ok(NetworkAttachment {
            runtime_id: format!("fakenet-{}", spec.name),
            bridge: format!("br-{}", &spec.id[..8.min(spec.id.len())]),
            netns: None,
            in_use: s.in_use.get(&spec.name).cloned().unwrap_or_default(),
            runtime_range: None,
        })
    }

    async fn update_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        let mut s = self.lock();
        s.calls.push(Call::UpdateNetwork(spec.name.clone()));
        if let Some(reason) = &s.network_failure {
            return Err(failed("update_network", reason));
        }
        s.networks.insert(spec.name.clone(), spec.clone());
        Ok(())
    }

    async fn remove_network(&self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        let mut s = self.lock();
        s.calls.push(Call::RemoveNetwork(spec.name.clone()));
        if let Some(reason) = &s.network_failure {
            return Err(failed("remove_network", reason));
        }
        s.networks.remove(&spec.name);
        Ok(())
    }

    async fn images(&self) -> Result<Vec<ImageInfo>, RuntimeError> {
        Ok(self.lock().images.clone())
    }

    async fn image(&self, reference: &str) -> Result<Option<ImageInfo>, RuntimeError> {
        let s = self.lock();
        Ok(s.images
            .iter()
            .find(|i| i.id == reference || i.names.iter().any(|n| n == reference))
            .cloned())
    }

    async fn start(&self, spec: &StartSpec) -> Result<Started, RuntimeError> {
        let mut s = self.lock();
        s.calls.push(Call::Start(spec.clone()));
        if let Some(reason) = s.start_failure.take() {
            return Err(failed("start", &reason));
        }
        if !s.images.iter().any(|i| i.names.contains(&spec.image) || i.id == spec.image) {
            return Err(RuntimeError::ImageNotFound(spec.image.clone()));
        }
        let mut macs = BTreeMap::new();
        for ep in &spec.endpoints {
            if !s.networks.contains_key(&ep.network) {
                return Err(failed("start", &format!("no network {}", ep.network)));
            }
            let clash = s.workloads.values().any(|w| {
                w.state == WorkloadState::Running
                    && w.spec.as_ref().is_some_and(|o| {
                        o.endpoints
                            .iter()
                            .any(|e| e.network == ep.network && e.address == ep.address)
                    })
            });
            if clash {
                return Err(failed("start", &format!("address {} in use", ep.address)));
            }
            let o = ep.address.octets();
            macs.insert(
                ep.network.clone(),
                format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3]),
            );
        }
        s.counter += 1;
        let runtime_id = format!("fake-{}", s.counter);
        let started_at = crate::model::now_unix();
        let w = FakeWorkload {
            pop_id: spec.pop_id.clone(),
            spec: Some(spec.clone()),
            state: WorkloadState::Running,
            started_at,
        };
        s.workloads.insert(runtime_id.clone(), w);
        Ok(Started { runtime_id, started_at, macs })
    }

    async fn stop(
        &self,
        runtime_id: &str,
        timeout: Duration,
    ) -> Result<Option<Stopped>, RuntimeError> {
        let mut s = self.lock();
        s.calls.push(Call::Stop { runtime_id: runtime_id.to_owned(), timeout });
        let result = s.stop_result.unwrap_or(Stopped { code: 0, killed: false });
        let w = s
            .workloads
            .get_mut(runtime_id)
            .ok_or_else(|| RuntimeError::WorkloadNotFound(runtime_id.to_owned()))?;
        match w.state {
            WorkloadState::Exited { code } => Ok(Some(Stopped { code, killed: false })),
            WorkloadState::Running => {
                w.state = WorkloadState::Exited { code: result.code };
                Ok(Some(result))
            }
        }
    }

    async fn remove(&self, runtime_id: &str) -> Result<(), RuntimeError> {
        let mut s = self.lock();
        s.calls.push(Call::Remove(runtime_id.to_owned()));
        s.workloads.remove(runtime_id);
        Ok(())
    }

    async fn list_managed(&self) -> Result<Vec<ManagedWorkload>, RuntimeError> {
        let s = self.lock();
        if s.list_failure {
            return Err(failed("list_managed", "the engine does not answer"));
        }
        Ok(s.workloads
            .iter()
            .map(|(id, w)| ManagedWorkload {
                runtime_id: id.clone(),
                pop_id: w.pop_id.clone(),
                state: w.state,
                started_at: w.started_at,
                oom_killed: false,
            })
            .collect())
    }

    async fn logs(
        &self,
        runtime_id: &str,
        tail: Option<u32>,
        max_bytes: usize,
    ) -> Result<LogOutput, RuntimeError> {
        let s = self.lock();
        let w = s
            .workloads
            .get(runtime_id)
            .ok_or_else(|| RuntimeError::WorkloadNotFound(runtime_id.to_owned()))?;
        let lines = ["one", "two", "three"];
        let skip = tail.map_or(0, |t| lines.len().saturating_sub(t as usize));
        let text: String = lines[skip..].iter().map(|l| format!("{} {l}\n", w.pop_id)).collect();
        let mut output = text.into_bytes();
        let truncated = output.len() > max_bytes;
        output.drain(..output.len().saturating_sub(max_bytes));
        Ok(LogOutput { output, truncated })
    }

    /// Answers the command line, as `echo` would.
    async fn exec(&self, runtime_id: &str, spec: &ExecSpec) -> Result<ExecOutput, RuntimeError> {
        if !self.lock().workloads.contains_key(runtime_id) {
            return Err(RuntimeError::WorkloadNotFound(runtime_id.to_owned()));
        }
        let output = format!("{}\n", spec.argv.join(" ")).into_bytes();
        Ok(ExecOutput { code: 0, output, truncated: false, timed_out: false })
    }

    fn events(&self) -> BoxStream<'static, RuntimeEvent> {
        BroadcastStream::new(self.events.subscribe())
            .filter_map(|e| futures::future::ready(e.ok()))
            .boxed()
    }
}
