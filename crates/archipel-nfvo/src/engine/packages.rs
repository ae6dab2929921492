//! SOL005 VNF packages (Open Baton's format), and the lifecycle scripts an NSD's VNFDs take
//! from them through `vnfPackageLocation`.

use std::collections::BTreeMap;
use std::path::Path;

use super::Nfvo;
use crate::catalogue::{CatalogueError, Nsd, Violation};
use crate::error::NfvoError;
use crate::events::{PACKAGE_CHANGED, PACKAGE_ONBOARDED};
use crate::ids;
use crate::package::{self, Package};
use crate::store::PackageRecord;

/// A package notification's `vnfdId`: the package's name, as its VnfPkgInfo says.
fn vnfd_id(name: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("vnfdId".to_owned(), name.into());
    fields
}

/// Script file name -> content, for one VNF.
pub type Scripts = BTreeMap<String, Vec<u8>>;

impl Nfvo {
    /// Makes an empty package, to be given its content.
    pub fn create_package(&self) -> Result<PackageRecord, NfvoError> {
        let record = PackageRecord {
            id: ids::new_id(),
            created: ids::now(),
            name: None,
            content: None,
            disabled: false,
        };
        self.store().insert_package(&record)?;
        tracing::info!(id = %record.id, "VNF package created");
        Ok(record)
    }

    /// Gives an empty package its content, an Open Baton package's tar; refused, and nothing
    /// stored, when it is not one.
    pub fn upload_package(&self, id: &str, content: &[u8]) -> Result<PackageRecord, NfvoError> {
        let parsed = package::parse(content)?;
        let _gate = self.gate();
        let record = self.package(id)?;
        if record.content.is_some() {
            return Err(NfvoError::PackageState {
                id: id.to_owned(),
                state: "already has its content: make a new package for new content",
            });
        }
        self.store().upload_package(id, &parsed.name, content)?;
        tracing::info!(%id, name = %parsed.name, scripts = parsed.scripts.len(), "VNF package onboarded");
        self.events().package_changed(PACKAGE_ONBOARDED, id, vnfd_id(&parsed.name));
        self.package(id)
    }

    /// The file at `path` in a package's content (its VNFD, an artifact): 409 while it has no
    /// content, 404 when it holds no such file.
    pub fn package_file(&self, id: &str, path: &str) -> Result<Vec<u8>, NfvoError> {
        let Some(content) = self.package(id)?.content else {
            let state = "has no content yet: upload it first";
            return Err(NfvoError::PackageState { id: id.to_owned(), state });
        };
        package::file(&content, path)
            .ok_or_else(|| NfvoError::NotFound { what: "file of the package", id: path.to_owned() })
    }

    pub fn packages(&self) -> Result<Vec<PackageRecord>, NfvoError> {
        Ok(self.store().packages()?)
    }

    pub fn package(&self, id: &str) -> Result<PackageRecord, NfvoError> {
        self.store()
            .package(id)?
            .ok_or_else(|| NfvoError::NotFound { what: "VNF package", id: id.to_owned() })
    }

    /// The packages onboarded NSDs name (by `vnfPackageLocation`), each with one NSD naming it.
    pub fn packages_in_use(&self) -> Result<BTreeMap<String, String>, NfvoError> {
        let mut users = BTreeMap::new();
        for record in self.store().nsds()? {
            let Some(document) = &record.document else { continue };
            let Ok(nsd) = crate::catalogue::parse_nsd(&document.content) else { continue };
            for location in nsd.vnfd().iter().filter_map(|vnfd| vnfd.package.clone()) {
                users.entry(location).or_insert_with(|| record.id.clone());
            }
        }
        Ok(users)
    }

    /// Enables or disables an onboarded package (SOL005's `operationalState`). With
    /// `if_match`, refused (412) when the package changed since that ETag was read; setting the
    /// state it is in, or enabling one without content, is a conflict (409).
    pub fn set_package_enabled(
        &self,
        id: &str,
        enabled: bool,
        if_match: Option<&str>,
    ) -> Result<PackageRecord, NfvoError> {
        let _gate = self.gate();
        let record = self.package(id)?;
        if let Some(tag) = if_match {
            let etag = record.etag();
            if !crate::model::if_match_holds(tag, &etag) {
                return Err(NfvoError::PackageChanged { id: id.to_owned(), etag });
            }
        }
        let conflict = |state| Err(NfvoError::PackageState { id: id.to_owned(), state });
        if record.content.is_none() {
            return conflict("has no content yet: upload it first");
        }
        if record.enabled() == enabled {
            return conflict(if enabled { "is already ENABLED" } else { "is already DISABLED" });
        }
        self.store().set_package_disabled(id, !enabled)?;
        let state = if enabled { "ENABLED" } else { "DISABLED" };
        tracing::info!(%id, state, "VNF package state changed");
        let mut fields = vnfd_id(record.name.as_deref().unwrap_or_default());
        fields.insert("changeType".to_owned(), "OP_STATE_CHANGE".into());
        fields.insert("operationalState".to_owned(), state.into());
        self.events().package_changed(PACKAGE_CHANGED, id, fields);
        self.package(id)
    }

    /// Deletes a DISABLED package no onboarded NSD names.
    pub fn delete_package(&self, id: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        if let Some(nsd) = self.packages_in_use()?.remove(id) {
            return Err(NfvoError::PackageInUse { id: id.to_owned(), nsd });
        }
        let record = self.package(id)?;
        if record.enabled() {
            let state = "is ENABLED: disable it first";
            return Err(NfvoError::PackageState { id: id.to_owned(), state });
        }
        if !self.store().delete_package(id)? {
            return Err(NfvoError::NotFound { what: "VNF package", id: id.to_owned() });
        }
        tracing::info!(%id, "VNF package deleted");
        let mut fields = vnfd_id(record.name.as_deref().unwrap_or_default());
        fields.insert("changeType".to_owned(), "PKG_DELETE".into());
        self.events().package_changed(PACKAGE_CHANGED, id, fields);
        Ok(())
    }

    /// Refuses an NSD to onboard that names a DISABLED package (SOL005: it is not to be used
    /// for new VNFs); NSDs onboarded before keep it.
    pub(super) fn check_packages_enabled(&self, nsd: &Nsd) -> Result<(), NfvoError> {
        for (i, vnfd) in nsd.vnfd().iter().enumerate() {
            let Some(location) = &vnfd.package else { continue };
            if self.store().package(location)?.is_some_and(|p| p.disabled) {
                let reason = "the package is DISABLED: enable it first".to_owned();
                let violation = Violation::UnknownPackage { location: location.clone(), reason };
                let path = format!("vnfd[{i}].vnfPackageLocation");
                return Err(CatalogueError::Invalid { path, violation }.into());
            }
        }
        Ok(())
    }

    /// The lifecycle scripts of every VNF of `nsd` that names a package, by VNF name. Refused,
    /// with the path in the NSD, when a package cannot be read or lacks a script an event names.
    pub fn lifecycle_scripts(&self, nsd: &Nsd) -> Result<BTreeMap<String, Scripts>, NfvoError> {
        let mut all = BTreeMap::new();
        for (i, vnfd) in nsd.vnfd().iter().enumerate() {
            let Some(location) = &vnfd.package else { continue };
            let at = format!("vnfd[{i}]");
            let package = self.read_package(location).map_err(|reason| {
                let violation = Violation::UnknownPackage { location: location.clone(), reason };
                CatalogueError::Invalid { path: format!("{at}.vnfPackageLocation"), violation }
            })?;
            for (j, event) in vnfd.lifecycle_event.iter().enumerate() {
                for (k, name) in event.scripts.iter().enumerate() {
                    if !package.scripts.contains_key(name) {
                        let violation = Violation::MissingScript {
                            name: name.clone(),
                            package: package.name.clone(),
                        };
                        let path = format!("{at}.lifecycle_event[{j}].lifecycle_events[{k}]");
                        return Err(CatalogueError::Invalid { path, violation }.into());
                    }
                }
            }
            all.insert(vnfd.name.clone(), package.scripts);
        }
        Ok(all)
    }

    /// An uploaded package by id, or a package at an absolute local path.
    fn read_package(&self, location: &str) -> Result<Package, String> {
        use crate::error::chain;
        match self.store().package(location) {
            Ok(Some(PackageRecord { content: Some(content), .. })) => {
                package::parse(&content).map_err(|e| chain(&e))
            }
            Ok(Some(_)) => Err("the package has no content yet: upload it first".to_owned()),
            Err(e) => Err(chain(&e)),
            Ok(None) if Path::new(location).is_absolute() => {
                package::read(Path::new(location)).map_err(|e| chain(&e))
            }
            Ok(None) => Err("give the id of an uploaded VNF package, or an absolute path to a \
                             package (its tar, or a folder laid out as one) on the NFVO's host"
                .to_owned()),
        }
    }
}
