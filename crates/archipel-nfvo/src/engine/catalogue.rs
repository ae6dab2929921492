//! The NSD catalogue: onboarding in one step (Open Baton's way) or SOL005's two (an empty NSD,
//! then its document), enabling and disabling, listing and deleting.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{json, Map, Value};

use super::Nfvo;
use crate::catalogue::{parse_nsd, warnings, Nsd, Warning};
use crate::error::NfvoError;
use crate::events::{NSD_CHANGED, NSD_DELETED, NSD_ONBOARDED, NSD_ONBOARDING_FAILED};
use crate::ids;
use crate::model::{NsdDocument, NsdRecord};

/// The largest `userDefinedData` kept with an NSD, as JSON text.
pub const USER_DATA_LIMIT: usize = 16 * 1024;

/// An NSD and whether a network service uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsdView {
    pub record: NsdRecord,
    pub in_use: bool,
    /// The fields of the document that Archipel does not act on.
    pub warnings: Vec<Warning>,
}

impl NsdView {
    /// The version of what a client may change (SOL005's `ETag`): it changes whenever the
    /// operational state, the user data or the onboarding state does.
    pub fn etag(&self) -> String {
        let r = &self.record;
        let mut hasher = DefaultHasher::new();
        (&r.id, r.enabled, &r.user_data, r.document.is_some()).hash(&mut hasher);
        format!("\"{:016x}\"", hasher.finish())
    }
}

/// What a client changes of an NSD (SOL005 `NsdInfoModifications`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NsdChange {
    pub enabled: Option<bool>,
    /// Merged into the NSD's user data as a JSON merge patch (RFC 7396): null removes a key.
    pub user_data: Option<Map<String, Value>>,
}

impl Nfvo {
    /// Checks and stores an NSD, enabled; nothing is stored when it is refused.
    pub fn onboard_nsd(&self, content: &[u8]) -> Result<NsdRecord, NfvoError> {
        let record = NsdRecord {
            id: ids::new_id(),
            onboarded: ids::now(),
            enabled: true,
            user_data: None,
            document: Some(self.check_nsd(content)?),
        };
        self.store().insert_nsd(&record)?;
        tracing::info!(id = %record.id, ignored = warnings(content).len(), "NSD onboarded");
        self.events().nsd_changed(NSD_ONBOARDED, &record.id, nsd_id(&record.id));
        Ok(record)
    }

    /// Makes an empty, disabled NSD, to be given its document (SOL005's first step).
    pub fn create_nsd(
        &self,
        user_data: Option<Map<String, Value>>,
    ) -> Result<NsdRecord, NfvoError> {
        let record = NsdRecord {
            id: ids::new_id(),
            onboarded: ids::now(),
            enabled: false,
            user_data: user_data.map(|data| user_data_text(&data)).transpose()?,
            document: None,
        };
        self.store().insert_nsd(&record)?;
        tracing::info!(id = %record.id, "NSD created, awaiting its document");
        Ok(record)
    }

    /// Gives an empty NSD its document and enables it; refused, and nothing changed, when the
    /// document is, or when the NSD has one already.
    pub fn upload_nsd(&self, id: &str, content: &[u8]) -> Result<NsdView, NfvoError> {
        let document = match self.check_nsd(content) {
            Ok(document) => document,
            Err(err) => {
                // The lookup only decides whether to notify: its failure must not hide the
                // document's fault.
                let empty =
                    self.store().nsd(id).ok().flatten().is_some_and(|r| r.document.is_none());
                if empty {
                    let details = json!({"status": 400, "detail": crate::error::chain(&err)});
                    let fields = Map::from_iter([("onboardingFailureDetails".to_owned(), details)]);
                    self.events().nsd_changed(NSD_ONBOARDING_FAILED, id, fields);
                }
                return Err(err);
            }
        };
        let _gate = self.gate();
        if self.nsd(id)?.record.document.is_some() {
            return Err(NfvoError::NsdState {
                id: id.to_owned(),
                state: "already has its document: make a new NSD for a new document",
            });
        }
        self.store().upload_nsd(id, &document)?;
        tracing::info!(%id, ignored = warnings(content).len(), "NSD onboarded");
        self.events().nsd_changed(NSD_ONBOARDED, id, nsd_id(id));
        self.nsd(id)
    }

    /// Enables or disables an NSD and changes its user data; refused when `if_match` is given
    /// and is not the NSD's ETag, or when the change is to the state it is in.
    pub fn modify_nsd(
        &self,
        id: &str,
        change: &NsdChange,
        if_match: Option<&str>,
    ) -> Result<NsdView, NfvoError> {
        let _gate = self.gate();
        let view = self.nsd(id)?;
        if let Some(tag) = if_match {
            let etag = view.etag();
            if !crate::model::if_match_holds(tag, &etag) {
                return Err(NfvoError::NsdChanged { id: id.to_owned(), etag });
            }
        }
        let record = &view.record;
        let enabled = match change.enabled {
            Some(_) if record.document.is_none() => {
                return Err(state(id, "has no document yet: upload it first"))
            }
            Some(true) if record.enabled => return Err(state(id, "is already ENABLED")),
            Some(false) if !record.enabled => return Err(state(id, "is already DISABLED")),
            Some(enabled) => enabled,
            None => record.enabled,
        };
        let user_data = match &change.user_data {
            Some(patch) => {
                let mut data = match &record.user_data {
                    Some(text) => serde_json::from_str(text).unwrap_or_default(),
                    None => Map::new(),
                };
                merge(&mut data, patch);
                (!data.is_empty()).then(|| user_data_text(&data)).transpose()?
            }
            None => record.user_data.clone(),
        };
        self.store().modify_nsd(id, enabled, user_data.as_deref())?;
        tracing::info!(%id, enabled, "NSD modified");
        if change.enabled.is_some() {
            let state = if enabled { "ENABLED" } else { "DISABLED" };
            let mut fields = nsd_id(id);
            fields.insert("nsdOperationalState".to_owned(), state.into());
            self.events().nsd_changed(NSD_CHANGED, id, fields);
        }
        self.nsd(id)
    }

    pub fn nsds(&self) -> Result<Vec<NsdView>, NfvoError> {
        self.store().nsds()?.into_iter().map(|record| self.view(record)).collect()
    }

    pub fn nsd(&self, id: &str) -> Result<NsdView, NfvoError> {
        let record = self.store().nsd(id)?.ok_or_else(|| not_found(id))?;
        self.view(record)
    }

    /// Deletes a disabled NSD that no network service uses (SOL005's rule).
    pub fn delete_nsd(&self, id: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        let record = self.store().nsd(id)?.ok_or_else(|| not_found(id))?;
        if let Some(nsr) = self.store().nsr_of_nsd(id)? {
            return Err(NfvoError::NsdInUse { id: id.to_owned(), nsr });
        }
        if record.enabled {
            return Err(state(id, "is ENABLED: disable it first"));
        }
        if !self.store().delete_nsd(id)? {
            return Err(not_found(id));
        }
        tracing::info!(%id, "NSD deleted");
        let fields = if record.document.is_some() { nsd_id(id) } else { Map::new() };
        self.events().nsd_changed(NSD_DELETED, id, fields);
        Ok(())
    }

    /// The document of an NSD that has one.
    pub fn nsd_document(&self, id: &str) -> Result<NsdDocument, NfvoError> {
        let record = self.store().nsd(id)?.ok_or_else(|| not_found(id))?;
        record.document.ok_or_else(|| state(id, "has no document yet: upload it first"))
    }

    /// The parsed NSD of an onboarded record.
    pub(super) fn parsed_nsd(&self, id: &str) -> Result<Nsd, NfvoError> {
        Ok(parse_nsd(&self.nsd_document(id)?.content)?)
    }

    /// Parses and checks a document as onboarding does.
    fn check_nsd(&self, content: &[u8]) -> Result<NsdDocument, NfvoError> {
        let nsd = parse_nsd(content)?;
        if self.config().ordered_start {
            nsd.check_acyclic()?;
        }
        self.lifecycle_scripts(&nsd)?;
        self.check_packages_enabled(&nsd)?;
        Ok(NsdDocument {
            name: nsd.name().to_owned(),
            vendor: nsd.vendor().to_owned(),
            version: nsd.version().to_owned(),
            content: content.to_vec(),
        })
    }

    fn view(&self, record: NsdRecord) -> Result<NsdView, NfvoError> {
        let in_use = self.store().nsr_of_nsd(&record.id)?.is_some();
        let warnings = record.document.as_ref().map(|d| warnings(&d.content)).unwrap_or_default();
        Ok(NsdView { record, in_use, warnings })
    }
}

/// RFC 7396's merge: null removes, an object merges into an object, anything else replaces.
fn merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (value, target.get_mut(key)) {
            (Value::Null, _) => {
                target.remove(key);
            }
            (Value::Object(inner), Some(Value::Object(existing))) => merge(existing, inner),
            (Value::Object(inner), _) => {
                let mut fresh = Map::new();
                merge(&mut fresh, inner);
                target.insert(key.clone(), Value::Object(fresh));
            }
            (other, _) => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

fn user_data_text(data: &Map<String, Value>) -> Result<String, NfvoError> {
    let text = Value::Object(data.clone()).to_string();
    if text.len() > USER_DATA_LIMIT {
        return Err(NfvoError::InvalidRequest {
            reason: format!(
                "userDefinedData is {} bytes as JSON: at most {USER_DATA_LIMIT}",
                text.len()
            ),
        });
    }
    Ok(text)
}

/// The `nsdId` of an onboarded NSD's notification: here its NsdInfo's id.
fn nsd_id(id: &str) -> Map<String, Value> {
    Map::from_iter([("nsdId".to_owned(), id.into())])
}

fn state(id: &str, state: &'static str) -> NfvoError {
    NfvoError::NsdState { id: id.to_owned(), state }
}

fn not_found(id: &str) -> NfvoError {
    NfvoError::NotFound { what: "NSD", id: id.to_owned() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn user_data_merges_as_rfc_7396_says() {
        let mut data = json!({"a": "b", "c": {"d": "e", "f": "g"}}).as_object().unwrap().clone();
        let patch = json!({"a": "z", "c": {"f": null}, "n": {"x": null, "y": 1}});
        merge(&mut data, patch.as_object().unwrap());
        assert_eq!(Value::Object(data), json!({"a": "z", "c": {"d": "e"}, "n": {"y": 1}}));
    }
}
