//! Rules that relate several places of an NSD: names are unique, virtual links resolve, and each
//! dependency joins two different VNFDs once, with parameters its source can provide.

use std::collections::HashMap;

use super::error::{CatalogueError, Violation};
use super::model::{metadata_key, Nsd, Vnfd};
use super::path::Path;

type Result<T> = std::result::Result<T, CatalogueError>;

pub(crate) fn check(nsd: &Nsd) -> Result<()> {
    let root = Path::root();
    let vld = root.field("vld");
    unique(
        nsd.vld
            .iter()
            .enumerate()
            .map(|(i, link)| (link.name.as_str(), vld.index(i).field("name"))),
    )?;
    let vnfds = root.field("vnfd");
    unique(
        nsd.vnfd
            .iter()
            .enumerate()
            .map(|(i, vnfd)| (vnfd.name.as_str(), vnfds.index(i).field("name"))),
    )?;
    for (i, vnfd) in nsd.vnfd.iter().enumerate() {
        check_vnfd(nsd, vnfd, &vnfds.index(i))?;
    }
    check_dependencies(nsd)
}

fn check_vnfd(nsd: &Nsd, vnfd: &Vnfd, path: &Path) -> Result<()> {
    let links = path.field("virtual_link");
    unique(
        vnfd.virtual_link
            .iter()
            .enumerate()
            .map(|(i, link)| (link.name.as_str(), links.index(i).field("name"))),
    )?;
    for (i, link) in vnfd.virtual_link.iter().enumerate() {
        if !nsd.vld.iter().any(|vld| vld.name == link.name) {
            let violation = Violation::UnknownVld { name: link.name.clone() };
            return Err(CatalogueError::invalid(links.index(i).field("name"), violation));
        }
    }
    let parameters = path.field("configurations").field("configurationParameters");
    unique(vnfd.configurations.iter().enumerate().map(|(i, parameter)| {
        (parameter.conf_key.as_str(), parameters.index(i).field("confKey"))
    }))?;
    for (i, vdu) in vnfd.vdu.iter().enumerate() {
        let vdu_path = path.field("vdu").index(i);
        for (j, vnfc) in vdu.vnfc.iter().enumerate() {
            let vnfc_path = vdu_path.field("vnfc").index(j);
            for (k, cp) in vnfc.connection_point.iter().enumerate() {
                let name = &cp.virtual_link_reference;
                if vnfd.virtual_link.iter().all(|link| &link.name != name) {
                    let path = vnfc_path
                        .field("connection_point")
                        .index(k)
                        .field("virtual_link_reference");
                    let violation =
                        Violation::UnknownVnfdLink { name: name.clone(), vnfd: vnfd.name.clone() };
                    return Err(CatalogueError::invalid(path, violation));
                }
            }
        }
    }
    Ok(())
}

fn check_dependencies(nsd: &Nsd) -> Result<()> {
    let mut pairs = HashMap::new();
    // Two parameters landing on the same metadata key of one target would overwrite each other.
    let mut keys = HashMap::new();
    for dependency in &nsd.vnf_dependency {
        let path = Path::declared(&dependency.declared_at);
        let source = known_vnfd(nsd, &dependency.source, path.field("source"))?;
        known_vnfd(nsd, &dependency.target, path.field("target"))?;
        if dependency.source == dependency.target {
            let violation = Violation::SelfDependency { name: dependency.source.clone() };
            return Err(CatalogueError::invalid(path.field("target"), violation));
        }
        let pair = (dependency.source.as_str(), dependency.target.as_str());
        if let Some(first) = pairs.insert(pair, path.clone()) {
            let violation = Violation::DuplicateDependency {
                source_name: dependency.source.clone(),
                target: dependency.target.clone(),
                first: first.to_string(),
            };
            return Err(CatalogueError::invalid(path, violation));
        }
        for (j, parameter) in dependency.parameters.iter().enumerate() {
            let parameter_path = path.field("parameters").index(j);
            if source.parameter_kind(parameter).is_none() {
                let violation = Violation::UnknownParameter {
                    parameter: parameter.clone(),
                    source_name: source.name.clone(),
                };
                return Err(CatalogueError::invalid(parameter_path, violation));
            }
            let key = metadata_key(&source.vnf_type, parameter);
            let slot = (dependency.target.as_str(), key);
            if let Some(first) = keys.get(&slot) {
                let violation = Violation::MetadataClash {
                    key: slot.1,
                    target: dependency.target.clone(),
                    first: Path::to_string(first),
                };
                return Err(CatalogueError::invalid(parameter_path, violation));
            }
            keys.insert(slot, parameter_path);
        }
    }
    Ok(())
}

fn known_vnfd<'a>(nsd: &'a Nsd, name: &str, path: Path) -> Result<&'a Vnfd> {
    nsd.vnfd_named(name).ok_or_else(|| {
        let violation = Violation::UnknownVnfd { name: name.to_owned() };
        CatalogueError::invalid(path, violation)
    })
}

/// Refuses the second place a name appears at.
fn unique<'a>(names: impl Iterator<Item = (&'a str, Path)>) -> Result<()> {
    let mut seen = HashMap::new();
    for (name, path) in names {
        if let Some(first) = seen.get(name) {
            let violation =
                Violation::Duplicate { name: name.to_owned(), first: Path::to_string(first) };
            return Err(CatalogueError::invalid(path, violation));
        }
        seen.insert(name, path);
    }
    Ok(())
}
