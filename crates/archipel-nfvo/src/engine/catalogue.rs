//! Onboarding, listing and deleting NSDs.

use super::Nfvo;
use crate::catalogue::{parse_nsd, warnings, Nsd, Warning};
use crate::error::NfvoError;
use crate::ids;
use crate::model::NsdRecord;

/// An onboarded NSD and whether a network service uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsdView {
    pub record: NsdRecord,
    pub in_use: bool,
    /// The fields of the document that Archipel does not act on.
    pub warnings: Vec<Warning>,
}

impl Nfvo {
    /// Checks and stores an NSD; nothing is stored when it is refused.
    pub fn onboard_nsd(&self, content: &[u8]) -> Result<NsdRecord, NfvoError> {
        let nsd = parse_nsd(content)?;
        if self.config().ordered_start {
            nsd.check_acyclic()?;
        }
        self.lifecycle_scripts(&nsd)?;
        let record = NsdRecord {
            id: ids::new_id(),
            name: nsd.name().to_owned(),
            vendor: nsd.vendor().to_owned(),
            version: nsd.version().to_owned(),
            onboarded: ids::now(),
            content: content.to_vec(),
        };
        self.store().insert_nsd(&record)?;
        let ignored = warnings(content).len();
        tracing::info!(id = %record.id, name = %record.name, ignored, "NSD onboarded");
        Ok(record)
    }

    pub fn nsds(&self) -> Result<Vec<NsdView>, NfvoError> {
        self.store().nsds()?.into_iter().map(|record| self.view(record)).collect()
    }

    pub fn nsd(&self, id: &str) -> Result<NsdView, NfvoError> {
        let record = self.store().nsd(id)?.ok_or_else(|| not_found(id))?;
        self.view(record)
    }

    /// Deletes an NSD that no network service uses.
    pub fn delete_nsd(&self, id: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        if let Some(nsr) = self.store().nsr_of_nsd(id)? {
            return Err(NfvoError::NsdInUse { id: id.to_owned(), nsr });
        }
        if !self.store().delete_nsd(id)? {
            return Err(not_found(id));
        }
        tracing::info!(%id, "NSD deleted");
        Ok(())
    }

    /// The parsed NSD of an onboarded record.
    pub(super) fn parsed_nsd(&self, id: &str) -> Result<Nsd, NfvoError> {
        let record = self.store().nsd(id)?.ok_or_else(|| not_found(id))?;
        Ok(parse_nsd(&record.content)?)
    }

    fn view(&self, record: NsdRecord) -> Result<NsdView, NfvoError> {
        let in_use = self.store().nsr_of_nsd(&record.id)?.is_some();
        let warnings = warnings(&record.content);
        Ok(NsdView { record, in_use, warnings })
    }
}

fn not_found(id: &str) -> NfvoError {
    NfvoError::NotFound { what: "NSD", id: id.to_owned() }
}
