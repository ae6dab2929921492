//! Network-service records, and the checks that begin an operation on one.

use std::collections::BTreeMap;

use super::{placement, Nfvo};
use crate::error::NfvoError;
use crate::ids;
use crate::model::{LcmOperation, Nsr, OpOcc, Operation, OperationState, Status};

/// A network service to create from an onboarded NSD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNs {
    pub nsd_id: String,
    /// Empty: the NSD's name.
    pub name: String,
    pub description: String,
}

impl Nfvo {
    /// Creates an NSR in status NULL; nothing happens at any site.
    pub fn create_ns(&self, new: NewNs) -> Result<Nsr, NfvoError> {
        // Under the gate: the NSD cannot be deleted meanwhile.
        let _gate = self.gate();
        let record = self
            .store()
            .nsd(&new.nsd_id)?
            .ok_or_else(|| NfvoError::NotFound { what: "NSD", id: new.nsd_id.clone() })?;
        let state = |state| NfvoError::NsdState { id: record.id.clone(), state };
        if !record.enabled {
            return Err(state("is DISABLED: enable it to make network services from it"));
        }
        let nsd = record.document.as_ref().ok_or_else(|| state("has no document yet"))?;
        loop {
            let nsr = Nsr {
                id: ids::new_id(),
                name: if new.name.is_empty() { nsd.name.clone() } else { new.name.clone() },
                description: new.description.clone(),
                nsd_id: record.id.clone(),
                nsd_name: nsd.name.clone(),
                status: Status::Null,
                error: None,
                vnfrs: Vec::new(),
                networks: Vec::new(),
                extensions: Vec::new(),
                created: ids::now(),
                health: Default::default(),
                alarms: Vec::new(),
                auto_heal: false,
                auto_heals: 0,
            };
            // Site-side names carry the short id: it must be unique.
            if self.store().insert_nsr(&nsr)? {
                tracing::info!(id = %nsr.id, nsd = %record.id, "network service created");
                return Ok(nsr);
            }
        }
    }

    pub fn nsrs(&self) -> Result<Vec<Nsr>, NfvoError> {
        Ok(self.store().nsrs()?)
    }

    pub fn nsr(&self, id: &str) -> Result<Nsr, NfvoError> {
        self.store().nsr(id)?.ok_or_else(|| not_found(id))
    }

    /// Deletes an NSR that holds nothing at any site and runs no operation.
    pub fn delete_ns(&self, id: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        self.nsr(id)?;
        self.check_idle(id)?;
        if !self.store().resources_of_nsr(id)?.is_empty() {
            return Err(NfvoError::HoldsResources { nsr: id.to_owned() });
        }
        self.store().delete_nsr(id)?;
        tracing::info!(%id, "network service deleted");
        Ok(())
    }

    pub fn ops(&self) -> Result<Vec<OpOcc>, NfvoError> {
        Ok(self.store().ops(None)?)
    }

    pub fn op(&self, id: &str) -> Result<OpOcc, NfvoError> {
        self.store()
            .op(id)?
            .ok_or_else(|| NfvoError::NotFound { what: "operation occurrence", id: id.to_owned() })
    }

    /// Begins instantiating an NSR that holds nothing; `placement` maps VNF names to sites.
    pub fn instantiate(
        &self,
        id: &str,
        placement: BTreeMap<String, String>,
    ) -> Result<OpOcc, NfvoError> {
        self.instantiate_with(id, placement, false)
    }

    /// As [`Nfvo::instantiate`]; `auto_heal`: the watch heals a failed VNFC instance without
    /// an operator.
    pub fn instantiate_with(
        &self,
        id: &str,
        placement: BTreeMap<String, String>,
        auto_heal: bool,
    ) -> Result<OpOcc, NfvoError> {
        let _gate = self.gate();
        let mut nsr = self.nsr(id)?;
        self.check_idle(id)?;
        let holds = !self.store().resources_of_nsr(id)?.is_empty();
        if holds || !matches!(nsr.status, Status::Null | Status::Error | Status::Terminated) {
            return Err(wrong_status(
                &nsr,
                "instantiate",
                "NULL, TERMINATED, or ERROR holding nothing",
            ));
        }
        let nsd = self.parsed_nsd(&nsr.nsd_id)?;
        let placement = placement::place(&nsd, &placement, &self.store().sites()?)?;
        nsr.status = Status::Initialized;
        nsr.error = None;
        nsr.auto_heal = auto_heal;
        nsr.auto_heals = 0;
        nsr.alarms.clear();
        nsr.health = Default::default();
        nsr.vnfrs.clear();
        nsr.networks.clear();
        nsr.extensions.clear();
        self.begin(nsr, Operation::Instantiate { placement })
    }

    /// Begins scaling VNF `vnf` of an instantiated NSR to `instances` VNFC instances of its
    /// first VDU, within 1 and the VDU's `scale_in_out`; new instances go to `site` (default:
    /// the site the VNF was placed on).
    pub fn scale(
        &self,
        id: &str,
        vnf: &str,
        instances: u32,
        site: Option<String>,
    ) -> Result<OpOcc, NfvoError> {
        let _gate = self.gate();
        let mut nsr = self.nsr(id)?;
        self.check_idle(id)?;
        if !matches!(nsr.status, Status::Active | Status::Error) || nsr.vnfrs.is_empty() {
            return Err(wrong_status(&nsr, "scale", "ACTIVE or ERROR after instantiation"));
        }
        // A service a terminate or an instantiation failed on is part removed or part made:
        // scaling it would report ACTIVE what is half gone.
        if nsr.status == Status::Error {
            if let Some(last) = self.store().last_op(id)? {
                let kind = last.operation.kind();
                if matches!(kind, LcmOperation::Terminate | LcmOperation::Instantiate) {
                    let failed = kind.as_str();
                    return Err(NfvoError::AfterFailed { nsr: nsr.id, failed, op: last.id });
                }
            }
        }
        let vnfr = nsr.vnfr(vnf).ok_or_else(|| NfvoError::InvalidRequest {
            reason: format!("network service {id} has no VNF {vnf}"),
        })?;
        if instances == 0 || instances > vnfr.scale_in_out {
            return Err(NfvoError::InvalidRequest {
                reason: format!(
                    "VNF {vnf} may have 1 to {} instances (scale_in_out), not {instances}",
                    vnfr.scale_in_out
                ),
            });
        }
        if let Some(site) = &site {
            if self.store().site(site)?.is_none() {
                return Err(NfvoError::InvalidRequest {
                    reason: format!("site {site} is not registered"),
                });
            }
        }
        let before = vnfr.vnfcs.iter().filter(|vnfc| vnfc.vdu == 0).count();
        let before = u32::try_from(before).unwrap_or(u32::MAX);
        nsr.status = Status::Scaling;
        let operation = Operation::Scale { vnf: vnf.to_owned(), instances, before, site };
        self.begin(nsr, operation)
    }

    /// Begins removing everything an NSR holds at its sites.
    pub fn terminate(&self, id: &str) -> Result<OpOcc, NfvoError> {
        let _gate = self.gate();
        let nsr = self.nsr(id)?;
        self.check_idle(id)?;
        let holds = !self.store().resources_of_nsr(id)?.is_empty();
        if !holds && matches!(nsr.status, Status::Null | Status::Terminated) {
            return Err(wrong_status(&nsr, "terminate", "an instantiated network service"));
        }
        self.begin(nsr, Operation::Terminate)
    }

    pub(super) fn check_idle(&self, id: &str) -> Result<(), NfvoError> {
        let busy = self.store().ops(Some(OperationState::Processing))?;
        match busy.into_iter().find(|op| op.nsr_id == id) {
            Some(op) => Err(NfvoError::Busy { nsr: id.to_owned(), op: op.id }),
            None => Ok(()),
        }
    }

    /// Records the operation with the NSR as it now is, then runs it in the background.
    pub(super) fn begin(&self, nsr: Nsr, operation: Operation) -> Result<OpOcc, NfvoError> {
        let now = ids::now();
        let op = OpOcc {
            id: ids::new_id(),
            nsr_id: nsr.id.clone(),
            operation,
            state: OperationState::Processing,
            step: None,
            detail: None,
            error: None,
            started: now,
            entered: now,
        };
        if let Some(busy) = self.store().begin_op(&op, &nsr)? {
            return Err(NfvoError::Busy { nsr: nsr.id, op: busy });
        }
        tracing::info!(nsr = %nsr.id, op = %op.id, operation = op.operation.kind().as_str(), "operation begun");
        self.spawn(op.clone());
        Ok(op)
    }
}

fn not_found(id: &str) -> NfvoError {
    NfvoError::NotFound { what: "network service", id: id.to_owned() }
}

pub(super) fn wrong_status(nsr: &Nsr, operation: &'static str, needs: &'static str) -> NfvoError {
    NfvoError::WrongStatus { nsr: nsr.id.clone(), status: nsr.status.as_str(), operation, needs }
}
