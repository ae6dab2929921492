//! The core: the catalogue, the sites, and the lifecycle of network services with the generic
//! VNFM inside it. It speaks in domain types only; the REST edge translates.
//!
//! Every operation on an NSR (instantiate, scale, terminate) is an operation occurrence that runs
//! in the background; at most one runs per NSR. Each object an operation makes at a site is
//! written to the store's intent log before the call that makes it, and removed from it only once
//! the site no longer holds it, so a failure, or a restart after a crash, can always undo exactly
//! what was made.

mod alarms;
mod auth;
mod catalogue;
mod collect;
mod deps;
mod heal;
mod instances;
mod instantiate;
mod lifecycle;
mod links;
mod packages;
mod placement;
mod pm;
mod recover;
mod run;
mod scale;
mod sites;
mod subscriptions;
mod tasks;
mod terminate;
mod update;
mod vnfm;
mod watch;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use ipnet::Ipv4Net;
use tokio::sync::watch as signal;

pub use auth::{
    AuthConfig, AuthError, Login, NewApiKey, Principal, API_KEY_PREFIX, CREDENTIAL_LIMIT,
    NAME_LIMIT, PASSWORD_LIMIT, PASSWORD_MIN,
};
pub use catalogue::{NsdChange, NsdView, USER_DATA_LIMIT};
pub use collect::{Collecting, Collector, PERFORMANCE_AVAILABLE, THRESHOLD_CROSSED};
pub use deps::metadata_for;
pub use instances::NewNs;
pub use packages::Scripts;
pub use pm::{
    NewPmJob, NewThreshold, NS_OBJECT, OBJECTS_LIMIT, PERIOD_MAX, PM_LIMIT, REPORTS_KEPT,
};
pub use sites::SiteSpec;
pub use subscriptions::{NewSubscription, SUBSCRIPTIONS_LIMIT, URI_LIMIT};
pub use tasks::OpTask;
pub use watch::{WatchConfig, Watching};

use crate::model::SiteReach;

use crate::error::NfvoError;
use crate::events::{notify::Notifier, Bus};
use crate::metrics::NfvoMetrics;
use crate::model::OpOcc;
use crate::store::Store;
use crate::vim::Vims;

/// How the orchestrator behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NfvoConfig {
    /// Where the subnets of the Pop networks the NFVO creates come from: each virtual link of
    /// each NSR gets, on each site that needs it, a network named `<vld name>-<short NSR id>`
    /// with the first subnet of the pool that no record holds (recorded on the NSR). Operators
    /// choose the pool so that it overlaps nothing at the sites.
    pub subnet_pool: Ipv4Net,
    /// The prefix length of each of those subnets.
    pub subnet_prefix: u8,
    /// How long a site has to answer Info at registration and in listings.
    pub site_timeout: Duration,
    /// Login tokens and the login throttle.
    pub auth: AuthConfig,
    /// Open Baton's `nfvo.start.ordered`: NSDs with a dependency cycle are refused at
    /// onboarding. Off, as in Open Baton, a cycle is started from its first-declared VNFD.
    pub ordered_start: bool,
    /// How running services are watched and healed.
    pub watch: WatchConfig,
    /// The most items a collection of the API answers at once; the rest come in further pages
    /// (SOL013 paging, a `Link` header to the next).
    pub page_size: usize,
}

impl Default for NfvoConfig {
    fn default() -> Self {
        Self {
            subnet_pool: "10.200.0.0/16".parse().expect("a valid CIDR"),
            subnet_prefix: 24,
            site_timeout: Duration::from_secs(5),
            auth: AuthConfig::default(),
            ordered_start: false,
            watch: WatchConfig::default(),
            page_size: 100,
        }
    }
}

/// The orchestrator. Cheap to clone: clones share everything.
#[derive(Debug, Clone)]
pub struct Nfvo {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    vims: Arc<dyn Vims>,
    config: NfvoConfig,
    accounts: auth::Accounts,
    /// Held while an operation is checked and begun, or a record deleted, so that the checks
    /// and the change see the same state.
    gate: std::sync::Mutex<()>,
    /// How many operations run in the background.
    running: signal::Sender<usize>,
    /// Whether the watch reaches each site, by name.
    reach: std::sync::Mutex<std::collections::BTreeMap<String, SiteReach>>,
    events: Bus,
    metrics: NfvoMetrics,
    /// The operations asked to stop (SOL005's cancel), until they do.
    cancels: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Nfvo {
    /// An orchestrator on `store`, reaching sites through `vims`. Call [`Nfvo::recover`] before
    /// serving requests.
    pub fn new(store: Store, vims: Arc<dyn Vims>, config: NfvoConfig) -> Result<Self, NfvoError> {
        if config.subnet_prefix < config.subnet_pool.prefix_len() || config.subnet_prefix > 30 {
            return Err(NfvoError::InvalidRequest {
                reason: format!(
                    "subnet prefix /{} does not fit in the pool {} (and must be /30 or wider)",
                    config.subnet_prefix, config.subnet_pool
                ),
            });
        }
        let notifier = Notifier::new(store.subscriptions()?).map_err(NfvoError::Notifier)?;
        for job in store.pm_jobs()? {
            notifier.add_target(&job.id, &job.callback_uri);
        }
        for threshold in store.thresholds()? {
            notifier.add_target(&threshold.id, &threshold.callback_uri);
        }
        let events = Bus::new(notifier);
        Ok(Self {
            inner: Arc::new(Inner {
                events,
                metrics: NfvoMetrics::default(),
                store,
                vims,
                accounts: auth::Accounts::new(config.auth),
                config,
                gate: std::sync::Mutex::new(()),
                running: signal::Sender::new(0),
                reach: std::sync::Mutex::default(),
                cancels: std::sync::Mutex::default(),
            }),
        })
    }

    /// Opens the store under `data_dir`, then finishes or rolls back the operations a previous
    /// run left in progress (see [`Nfvo::recover`]).
    pub async fn open(
        data_dir: &std::path::Path,
        vims: Arc<dyn Vims>,
        config: NfvoConfig,
    ) -> Result<Self, NfvoError> {
        let nfvo = Self::new(Store::open(data_dir)?, vims, config)?;
        for op in nfvo.recover().await? {
            tracing::warn!(op = %op.id, state = op.state.as_str(), "operation recovered");
        }
        Ok(nfvo)
    }

    pub fn config(&self) -> &NfvoConfig {
        &self.inner.config
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The event bus: lifecycle changes are published by the engine; alarms and health changes
    /// through [`Bus::alarm_changed`] and [`Bus::health_changed`].
    pub fn events(&self) -> &Bus {
        &self.inner.events
    }

    /// The Prometheus series.
    pub fn metrics(&self) -> &NfvoMetrics {
        &self.inner.metrics
    }

    fn accounts(&self) -> &auth::Accounts {
        &self.inner.accounts
    }

    fn cancels(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeSet<String>> {
        self.inner.cancels.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What subscription filters may name of NS `id`, as recorded; None if it cannot be read.
    pub(super) fn ns_facts(&self, id: &str) -> Option<crate::events::NsFacts> {
        let nsr = self.store().nsr(id).ok().flatten()?;
        let nsd = self.parsed_nsd(&nsr.nsd_id).ok();
        Some(crate::events::NsFacts::of(&nsr, nsd.as_ref()))
    }

    fn gate(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner.gate.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs the operation in the background.
    fn spawn(&self, op: OpOcc) {
        self.inner.running.send_modify(|n| *n += 1);
        self.events().op_changed(&op, self.ns_facts(&op.nsr_id));
        let nfvo = self.clone();
        tokio::spawn(async move {
            let watched = matches!(
                op.operation,
                crate::model::Operation::Heal { .. }
                    | crate::model::Operation::Scale { .. }
                    | crate::model::Operation::Update { .. }
            );
            run::execute(&nfvo, op.clone()).await;
            if watched {
                nfvo.after_op(&op).await;
            }
            nfvo.inner.running.send_modify(|n| *n -= 1);
        });
    }

    /// Waits until no operation runs, at most `timeout`; whether none runs.
    pub async fn drain(&self, timeout: Duration) -> bool {
        let mut running = self.inner.running.subscribe();
        let idle = tokio::time::timeout(timeout, running.wait_for(|n| *n == 0)).await;
        idle.is_ok()
    }

    /// Waits until operation `id` has ended (polling the store), and returns it.
    pub async fn wait(&self, id: &str) -> Result<OpOcc, NfvoError> {
        loop {
            let op = self.op(id)?;
            if op.state != crate::model::OperationState::Processing {
                return Ok(op);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
