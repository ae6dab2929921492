//! NS update (SOL005 `MODIFY_VNF_INFORMATION`): an operator changes a VNF's configuration.
//! The change is kept on the VNF record, over the descriptor's parameters, so that heals and
//! scale-outs keep it; then, as after a scale, every started VNFC instance whose metadata is no
//! longer what it would receive is re-created with it (same names and addresses, dependency
//! order): the VNF's own, and the targets that take a changed parameter. A failed update
//! leaves the service in ERROR with the change recorded, as a failed scale does.

use std::collections::BTreeMap;

use super::instances::wrong_status;
use super::run::Run;
use super::scale::{refresh_metadata, restart_stale};
use super::Nfvo;
use crate::error::NfvoError;
use crate::model::{Failure, OpOcc, Operation, Status};

/// How many keys one update may change.
pub const CHANGES_LIMIT: usize = 64;
/// The longest key and value taken, in bytes.
pub const KEY_LIMIT: usize = 128;
pub const VALUE_LIMIT: usize = 4096;

impl Nfvo {
    /// Begins changing the configuration of VNF `vnf` of an ACTIVE NSR: each key of `changes`
    /// set to its value, or back to the descriptor's (None).
    pub fn update(
        &self,
        id: &str,
        vnf: &str,
        changes: BTreeMap<String, Option<String>>,
    ) -> Result<OpOcc, NfvoError> {
        check(&changes)?;
        let _gate = self.gate();
        let nsr = self.nsr(id)?;
        self.check_idle(id)?;
        if nsr.status != Status::Active {
            return Err(wrong_status(&nsr, "update", "ACTIVE"));
        }
        if nsr.vnfr(vnf).is_none() {
            return Err(invalid(format!("network service {id} has no VNF {vnf}")));
        }
        self.begin(nsr, Operation::Update { vnf: vnf.to_owned(), changes })
    }
}

/// Every key becomes an environment variable in the VNF's containers: popd's rule, checked
/// here so that a bad one is refused before anything changes.
fn check(changes: &BTreeMap<String, Option<String>>) -> Result<(), NfvoError> {
    if changes.is_empty() {
        return Err(invalid("nothing to change: give at least one key".to_owned()));
    }
    if changes.len() > CHANGES_LIMIT {
        return Err(invalid(format!(
            "{} keys to change: at most {CHANGES_LIMIT} are taken at once",
            changes.len()
        )));
    }
    for (key, value) in changes {
        let mut chars = key.chars();
        let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !starts || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') || key.len() > KEY_LIMIT
        {
            return Err(invalid(format!(
                "key {key:?} cannot be an environment variable: use a letter or _ first, then \
                 letters, digits and _, at most {KEY_LIMIT} bytes"
            )));
        }
        let Some(value) = value else { continue };
        if value.len() > VALUE_LIMIT || value.contains(['\0', '\n']) {
            return Err(invalid(format!(
                "the value of {key} must hold no NUL and no newline, and at most {VALUE_LIMIT} bytes"
            )));
        }
    }
    Ok(())
}

fn invalid(reason: String) -> NfvoError {
    NfvoError::InvalidRequest { reason }
}

/// Records the change, then re-creates what it makes stale. Done again from the start after
/// a stop: setting the same values twice is setting them once.
pub(super) async fn forward(
    run: &mut Run,
    vnf: &str,
    changes: &BTreeMap<String, Option<String>>,
) -> Result<(), Failure> {
    let Some(vnfr) = run.nsr.vnfr_mut(vnf) else {
        return Err(run.failure(format!("no VNF record {vnf}")));
    };
    for (key, value) in changes {
        match value {
            Some(value) => vnfr.configuration.insert(key.clone(), value.clone()),
            None => vnfr.configuration.remove(key),
        };
    }
    refresh_metadata(run);
    run.save()?;
    restart_stale(run, Some(vnf)).await?;
    run.nsr.status = Status::Active;
    run.nsr.error = None;
    run.save()
}
