//! One operation as it runs: its records, the sites it talks to, the intent log around every
//! object it makes or deletes, and how it ends.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use super::{heal, instantiate, links, scale, terminate, update, Nfvo};
use crate::catalogue::Nsd;
use crate::error::chain;
use crate::events::NsFacts;
use crate::ids;
use crate::model::{
    Failure, LcmOperation, Nsr, OpOcc, Operation, OperationState, Site, Status, Step,
};
use crate::store::{Resource, ResourceKind, ResourceState};
use crate::vim::{Agent, Vim};

/// Runs a begun operation to its end: COMPLETED, or FAILED with what it made undone.
pub(super) async fn execute(nfvo: &Nfvo, op: OpOcc) {
    let mut run = match Run::load(nfvo, op.clone()) {
        Ok(run) => run,
        Err(failure) => return abandon(nfvo, op, failure),
    };
    let outcome = match run.op.operation.clone() {
        Operation::Instantiate { placement } => instantiate::forward(&mut run, &placement).await,
        Operation::Scale { vnf, instances, site, .. } => {
            scale::forward(&mut run, &vnf, instances, site.as_deref()).await
        }
        Operation::Terminate => terminate::forward(&mut run).await,
        Operation::Heal { vnfcs, .. } => heal::forward(&mut run, &vnfcs).await,
        Operation::Update { vnf, changes } => update::forward(&mut run, &vnf, &changes).await,
    };
    match outcome {
        Ok(()) => run.complete(),
        Err(failure) if run.cancelled => run.roll_back(failure, OperationState::RolledBack).await,
        Err(failure) => run.roll_back(failure, OperationState::Failed).await,
    }
}

/// Ends an operation that could not even load its records.
pub(super) fn abandon(nfvo: &Nfvo, mut op: OpOcc, failure: Failure) {
    tracing::error!(op = %op.id, step = %failure.step, reason = %failure.reason, "operation abandoned");
    op.state = OperationState::Failed;
    op.error = Some(failure);
    op.entered = ids::now();
    if let Err(err) = nfvo.store().put_op(&op) {
        tracing::error!(op = %op.id, error = %chain(&err), "cannot record the operation's end");
    }
    nfvo.events().op_changed(&op, nfvo.ns_facts(&op.nsr_id));
    nfvo.metrics().operation_ended(op.operation.kind(), op.state, None);
}

pub(super) struct Run {
    pub nfvo: Nfvo,
    pub op: OpOcc,
    pub nsr: Nsr,
    pub nsd: Nsd,
    sites: BTreeMap<String, Site>,
    /// When this run began, for the duration metrics.
    began: Instant,
    /// Sites an inter-site removal could not reach: they leave when they are back.
    pub pending: Vec<String>,
    /// The lifecycle scripts of the VNFs that have a package, by VNF name.
    pub scripts: BTreeMap<String, super::packages::Scripts>,
    /// Stopped by a cancel: it ends ROLLED_BACK.
    cancelled: bool,
    /// Undoing what it made: no cancel stops that.
    rolling_back: bool,
}

impl Run {
    pub(super) fn load(nfvo: &Nfvo, op: OpOcc) -> Result<Self, Failure> {
        let load = || -> Result<_, crate::error::NfvoError> {
            let nsr = nfvo.nsr(&op.nsr_id)?;
            let nsd = nfvo.parsed_nsd(&nsr.nsd_id)?;
            let sites = nfvo.store().sites()?;
            Ok((nsr, nsd, sites))
        };
        let (nsr, nsd, sites) =
            load().map_err(|err| Failure { step: Step::Load, reason: chain(&err) })?;
        // A terminate goes on without scripts whose package is gone; nothing else may.
        let scripts = match nfvo.lifecycle_scripts(&nsd) {
            Ok(scripts) => scripts,
            Err(err) if op.operation.kind() == LcmOperation::Terminate => {
                tracing::warn!(op = %op.id, error = %chain(&err), "terminating without the TERMINATE scripts");
                BTreeMap::new()
            }
            Err(err) => return Err(Failure { step: Step::Load, reason: chain(&err) }),
        };
        let sites = sites.into_iter().map(|site| (site.name.clone(), site)).collect();
        Ok(Self {
            nfvo: nfvo.clone(),
            op,
            nsr,
            nsd,
            sites,
            began: Instant::now(),
            pending: Vec::new(),
            scripts,
            cancelled: false,
            rolling_back: false,
        })
    }

    /// A failure of the current step.
    pub(super) fn failure(&self, reason: impl Into<String>) -> Failure {
        Failure { step: self.op.step.unwrap_or(Step::Begin), reason: reason.into() }
    }

    fn stored<T>(&self, result: Result<T, crate::store::StoreError>) -> Result<T, Failure> {
        result.map_err(|err| self.failure(chain(&err)))
    }

    /// Enters a step; `detail` says what it is doing, for progress displays. A cancelled
    /// operation stops here, before the step.
    pub(super) fn step(&mut self, step: Step, detail: Option<String>) -> Result<(), Failure> {
        if !self.cancelled && !self.rolling_back && self.nfvo.cancel_pending(&self.op.id) {
            self.cancelled = true;
            tracing::warn!(op = %self.op.id, before = %step, "operation cancelled");
            let reason = format!("cancelled by an operator before step {step}");
            return Err(Failure { step: self.op.step.unwrap_or(Step::Begin), reason });
        }
        tracing::debug!(op = %self.op.id, %step, detail = detail.as_deref().unwrap_or(""), "step");
        self.op.step = Some(step);
        self.op.detail = detail;
        let result = self.nfvo.store().put_op(&self.op);
        self.stored(result)
    }

    pub(super) fn save(&self) -> Result<(), Failure> {
        self.stored(self.nfvo.store().put_nsr(&self.nsr))
    }

    pub(super) fn site(&self, site: &str) -> Result<&Site, Failure> {
        self.sites.get(site).ok_or_else(|| self.failure(format!("site {site} is not registered")))
    }

    pub(super) fn vim(&self, site: &str) -> Result<Arc<dyn Vim>, Failure> {
        Ok(self.nfvo.vim(self.site(site)?))
    }

    pub(super) fn agent(&self, site: &str) -> Result<Arc<dyn Agent>, Failure> {
        self.nfvo.agent(self.site(site)?).ok_or_else(|| {
            self.failure(format!("site {site} has no inter-site agent (register it with --agent)"))
        })
    }

    /// Records a network about to be made at `site` with a free subnet of the pool.
    pub(super) fn intend_network(
        &self,
        site: &str,
        name: &str,
    ) -> Result<(i64, ipnet::Ipv4Net), Failure> {
        let config = self.nfvo.config();
        let candidates = config
            .subnet_pool
            .subnets(config.subnet_prefix)
            .map_err(|err| self.failure(err.to_string()))?;
        let store = self.nfvo.store();
        let added = store.add_network(&self.nsr.id, &self.op.id, site, name, candidates);
        self.stored(added)?.ok_or_else(|| {
            self.failure(format!(
                "no /{} subnet of {} is free",
                config.subnet_prefix, config.subnet_pool
            ))
        })
    }

    /// Records a container, an extension or a membership about to be made.
    pub(super) fn intend(
        &self,
        site: &str,
        kind: ResourceKind,
        name: &str,
    ) -> Result<i64, Failure> {
        let store = self.nfvo.store();
        self.stored(store.add_resource(&self.nsr.id, &self.op.id, site, kind, name))
    }

    pub(super) fn made(&self, seq: i64, pop_id: &str) -> Result<(), Failure> {
        self.stored(self.nfvo.store().resource_present(seq, pop_id))
    }

    pub(super) fn resources(&self) -> Result<Vec<Resource>, Failure> {
        self.stored(self.nfvo.store().resources_of_nsr(&self.nsr.id))
    }

    /// Deletes objects at their sites: containers, then memberships of extensions, then
    /// extensions, then networks, each newest first. They are marked as going first, and
    /// forgotten once the site no longer holds them. Tries every one; the first failure is
    /// returned.
    pub(super) async fn delete(&mut self, mut doomed: Vec<Resource>) -> Result<(), Failure> {
        let seqs: Vec<i64> = doomed.iter().map(|r| r.seq).collect();
        let marked = self.nfvo.store().resources_deleting(&seqs);
        self.stored(marked)?;
        doomed.sort_by_key(|r| (r.kind, std::cmp::Reverse(r.seq)));
        let mut first_failure = None;
        for resource in doomed {
            if let Err(failure) = self.delete_one(&resource).await {
                tracing::warn!(op = %self.op.id, name = %resource.name, reason = %failure.reason, "cannot delete");
                first_failure.get_or_insert(failure);
            }
        }
        self.prune()?;
        first_failure.map_or(Ok(()), Err)
    }

    async fn delete_one(&mut self, resource: &Resource) -> Result<(), Failure> {
        let vim = self.vim(&resource.site)?;
        let (what, result) = match resource.kind {
            ResourceKind::Container => ("container", vim.delete_container(&resource.name).await),
            ResourceKind::Network => ("network", vim.delete_network(&resource.name).await),
            ResourceKind::Extension | ResourceKind::Member => {
                links::undo(self, resource).await?;
                return self.stored(self.nfvo.store().remove_resource(resource.seq));
            }
        };
        result.map_err(|err| {
            self.failure(format!(
                "delete {what} {} at site {}: {}",
                resource.name,
                resource.site,
                err.reason()
            ))
        })?;
        self.stored(self.nfvo.store().remove_resource(resource.seq))
    }

    /// Drops from the NSR the instances, networks and extensions the intent log no longer
    /// holds.
    fn prune(&mut self) -> Result<(), Failure> {
        let held = self.resources()?;
        let holds = |kind, site: &str, name: &str| {
            held.iter().any(|r| r.kind == kind && r.site == site && r.name == name)
        };
        for vnfr in &mut self.nsr.vnfrs {
            vnfr.vnfcs.retain(|vnfc| holds(ResourceKind::Container, &vnfc.site, &vnfc.name));
        }
        self.nsr.extensions.retain(|e| holds(ResourceKind::Extension, &e.master, &e.network));
        for e in &mut self.nsr.extensions {
            let (master, network) = (e.master.clone(), e.network.clone());
            e.sites.retain(|s| *s == master || holds(ResourceKind::Member, s, &network));
        }
        // A network the NFVO made, or one an agent made for a site that is still a member.
        self.nsr.networks.retain(|n| {
            holds(ResourceKind::Network, &n.site, &n.name)
                || holds(ResourceKind::Member, &n.site, &n.name)
        });
        self.save()
    }

    /// Finishes the deletions a previous run of this NSR had begun.
    pub(super) async fn finish_deletions(&mut self) -> Result<(), Failure> {
        let going: Vec<Resource> =
            self.resources()?.into_iter().filter(|r| r.state == ResourceState::Deleting).collect();
        if going.is_empty() {
            return Ok(());
        }
        self.step(Step::Delete, Some(format!("{} objects left being deleted", going.len())))?;
        self.delete(going).await
    }

    /// Undoes what this operation made, then ends it in `state` with `failure` on the records.
    pub(super) async fn roll_back(mut self, mut failure: Failure, state: OperationState) {
        tracing::warn!(op = %self.op.id, step = %failure.step, reason = %failure.reason, "operation failed, rolling back");
        self.rolling_back = true;
        let made: Result<Vec<Resource>, _> = self.nfvo.store().resources_of_op(&self.op.id);
        let undone = match made {
            Ok(made) => self.delete(made).await,
            Err(err) => Err(self.failure(chain(&err))),
        };
        let undone = match undone {
            Ok(()) if self.op.operation.kind() == LcmOperation::Scale => {
                scale::restore(&mut self).await
            }
            undone => undone,
        };
        if let Err(left) = undone {
            failure.reason =
                format!("{}; the rollback failed too: {}", failure.reason, left.reason);
        }
        if self.op.operation.kind() == LcmOperation::Instantiate {
            self.nsr.vnfrs.retain(|vnfr| !vnfr.vnfcs.is_empty());
        }
        // A failed heal leaves the service as it was: running, degraded, its alarm raised.
        if self.op.operation.kind() != LcmOperation::Heal {
            self.nsr.status = Status::Error;
        }
        self.nsr.error = Some(failure.clone());
        self.end(state, Some(failure));
    }

    /// Ends the operation as COMPLETED; the NSR's status is what the operation set. Sites that
    /// must still leave an extension are named on the operation.
    pub(super) fn complete(mut self) {
        if !self.pending.is_empty() {
            self.pending.sort();
            self.pending.dedup();
            self.op.detail = Some(format!(
                "sites {} were unreachable: they leave the inter-site services once their agents \
                 answer again",
                self.pending.join(", ")
            ));
        }
        self.end(OperationState::Completed, None);
    }

    fn end(mut self, state: OperationState, error: Option<Failure>) {
        self.nfvo.cancels().remove(&self.op.id);
        self.op.state = state;
        self.op.error = error;
        self.op.entered = ids::now();
        if let Err(err) = self.nfvo.store().put_nsr(&self.nsr) {
            tracing::error!(nsr = %self.nsr.id, error = %chain(&err), "cannot record the NSR");
        }
        if let Err(err) = self.nfvo.store().put_op(&self.op) {
            tracing::error!(op = %self.op.id, error = %chain(&err), "cannot record the operation's end");
        }
        self.nfvo.events().op_changed(&self.op, Some(NsFacts::of(&self.nsr, Some(&self.nsd))));
        let ran = Some(self.began.elapsed());
        self.nfvo.metrics().operation_ended(self.op.operation.kind(), state, ran);
        tracing::info!(op = %self.op.id, nsr = %self.nsr.id, state = state.as_str(), status = self.nsr.status.as_str(), "operation ended");
    }
}
