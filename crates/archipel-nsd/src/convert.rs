//! From the raw document to the model: every field Archipel acts on is present and well formed
//! on its own. Rules that relate several places are in [`super::check`].

use super::error::{CatalogueError, Violation};
use super::model::{
    ConfigurationParameter, ConnectionPoint, DeploymentFlavour, LifecycleEvent, Nsd, Vdu,
    VirtualLink, VnfDependency, Vnfc, Vnfd, LIFECYCLE_EVENTS,
};
use super::path::Path;
use super::raw::{
    RawConfigurationParameter, RawConnectionPoint, RawDependency, RawDeploymentFlavour,
    RawLifecycleEvent, RawNsd, RawRequires, RawVdu, RawVirtualLink, RawVnfc, RawVnfd, RawVnfdRef,
};

type Result<T> = std::result::Result<T, CatalogueError>;

pub(crate) fn nsd(mut raw: RawNsd) -> Result<Nsd> {
    let root = Path::root();
    let requires: Vec<_> = raw.vnfd.iter_mut().flatten().map(|v| v.requires.take()).collect();
    let vnfd = each_of_some(raw.vnfd, &root.field("vnfd"), self::vnfd)?;
    let mut vnf_dependency = each(raw.vnf_dependency, &root.field("vnf_dependency"), dependency)?;
    for (i, requires) in requires.into_iter().enumerate() {
        let path = root.field("vnfd").index(i).field("requires");
        for (source, wanted) in requires.unwrap_or_default() {
            required(&vnfd, &vnfd[i].name, source, wanted, &path, &mut vnf_dependency)?;
        }
    }
    Ok(Nsd {
        name: text(raw.name, &root.field("name"))?,
        vendor: text(raw.vendor, &root.field("vendor"))?,
        version: text(raw.version, &root.field("version"))?,
        vld: each(raw.vld, &root.field("vld"), virtual_link)?,
        vnfd,
        vnf_dependency,
    })
}

/// Turns one entry of a VNFD's `requires` into a dependency, as Open Baton does: the key names
/// the source VNFD, an entry with no parameters makes none, and the parameters join those of a
/// dependency the NSD already declares between the same two VNFDs.
fn required(
    vnfds: &[Vnfd],
    target: &str,
    source: String,
    wanted: RawRequires,
    requires: &Path,
    dependencies: &mut Vec<VnfDependency>,
) -> Result<()> {
    let path = requires.field(&source);
    let parameters = each(wanted.parameters, &path.field("parameters"), required_text)?;
    if parameters.is_empty() {
        return Ok(());
    }
    let Some(from) = vnfds.iter().find(|v| v.name == source) else {
        return Err(CatalogueError::invalid(path, Violation::UnknownVnfd { name: source }));
    };
    if source == target {
        return Err(CatalogueError::invalid(path, Violation::SelfDependency { name: source }));
    }
    for (j, parameter) in parameters.iter().enumerate() {
        if from.parameter_kind(parameter).is_none() {
            let violation = Violation::UnknownParameter {
                parameter: parameter.clone(),
                source_name: source.clone(),
            };
            return Err(CatalogueError::invalid(path.field("parameters").index(j), violation));
        }
    }
    match dependencies.iter_mut().find(|d| d.source == source && d.target == target) {
        Some(declared) => {
            for parameter in parameters {
                if !declared.parameters.contains(&parameter) {
                    declared.parameters.push(parameter);
                }
            }
        }
        None => dependencies.push(VnfDependency {
            source,
            target: target.to_owned(),
            parameters,
            declared_at: path.to_string(),
        }),
    }
    Ok(())
}

fn virtual_link(raw: RawVirtualLink, path: &Path) -> Result<VirtualLink> {
    Ok(VirtualLink { name: text(raw.name, &path.field("name"))? })
}

fn vnfd(raw: RawVnfd, path: &Path) -> Result<Vnfd> {
    let lifecycle = each(raw.lifecycle_event, &path.field("lifecycle_event"), lifecycle_event)?;
    let package = raw.vnf_package_location.filter(|location| is_package(location));
    let provides = each(raw.provides, &path.field("provides"), required_text)?;
    let configurations = match raw.configurations {
        Some(configurations) => {
            let path = path.field("configurations").field("configurationParameters");
            each(configurations.configuration_parameters, &path, configuration)?
        }
        None => Vec::new(),
    };
    let vnfd = Vnfd {
        name: text(raw.name, &path.field("name"))?,
        vnf_type: text(raw.vnf_type, &path.field("type"))?,
        endpoint: text(raw.endpoint, &path.field("endpoint"))?,
        vdu: each_of_some(raw.vdu, &path.field("vdu"), vdu)?,
        configurations,
        virtual_link: each(raw.virtual_link, &path.field("virtual_link"), virtual_link)?,
        deployment_flavour: each_of_some(
            raw.deployment_flavour,
            &path.field("deployment_flavour"),
            flavour,
        )?,
        lifecycle_event: lifecycle,
        package,
        vendor: scalar(raw.vendor),
        version: scalar(raw.version),
    };
    // Open Baton's VNF manager fills a provided parameter from a script; Archipel fills it from
    // what the VNF has, so it must have it.
    for (j, parameter) in provides.into_iter().enumerate() {
        if vnfd.parameter_kind(&parameter).is_none() {
            let violation = Violation::UnfillableProvides { parameter };
            return Err(CatalogueError::invalid(path.field("provides").index(j), violation));
        }
    }
    Ok(vnfd)
}

fn configuration(raw: RawConfigurationParameter, path: &Path) -> Result<ConfigurationParameter> {
    Ok(ConfigurationParameter {
        conf_key: text(raw.conf_key, &path.field("confKey"))?,
        value: raw.value.ok_or_else(|| missing(&path.field("value")))?,
    })
}

fn vdu(raw: RawVdu, path: &Path) -> Result<Vdu> {
    each(raw.lifecycle_event, &path.field("lifecycle_event"), lifecycle_event)?;
    let vm_image = each_of_some(raw.vm_image, &path.field("vm_image"), required_text)?;
    let scale_path = path.field("scale_in_out");
    let scale_in_out = raw.scale_in_out.ok_or_else(|| missing(&scale_path))?;
    if scale_in_out == 0 {
        return Err(CatalogueError::invalid(scale_path, Violation::ZeroScale));
    }
    let vnfc = each_of_some(raw.vnfc, &path.field("vnfc"), self::vnfc)?;
    if vnfc.len() > scale_in_out as usize {
        let violation = Violation::TooManyVnfcs { count: vnfc.len(), scale_in_out };
        return Err(CatalogueError::invalid(path.field("vnfc"), violation));
    }
    Ok(Vdu {
        vm_image,
        scale_in_out,
        vnfc,
        vim_instance_name: each(
            raw.vim_instance_name,
            &path.field("vimInstanceName"),
            required_text,
        )?,
    })
}

fn vnfc(raw: RawVnfc, path: &Path) -> Result<Vnfc> {
    Ok(Vnfc { connection_point: each(raw.connection_point, &path.field("connection_point"), cp)? })
}

fn cp(raw: RawConnectionPoint, path: &Path) -> Result<ConnectionPoint> {
    Ok(ConnectionPoint {
        virtual_link_reference: text(
            raw.virtual_link_reference,
            &path.field("virtual_link_reference"),
        )?,
    })
}

fn flavour(raw: RawDeploymentFlavour, path: &Path) -> Result<DeploymentFlavour> {
    Ok(DeploymentFlavour { flavour_key: text(raw.flavour_key, &path.field("flavour_key"))? })
}

fn dependency(raw: RawDependency, path: &Path) -> Result<VnfDependency> {
    Ok(VnfDependency {
        source: vnfd_ref(raw.source, &path.field("source"))?,
        target: vnfd_ref(raw.target, &path.field("target"))?,
        parameters: each(raw.parameters, &path.field("parameters"), required_text)?,
        declared_at: path.to_string(),
    })
}

fn vnfd_ref(raw: Option<RawVnfdRef>, path: &Path) -> Result<String> {
    match raw {
        None => Err(missing(path)),
        Some(RawVnfdRef::Name(name)) => text(Some(name), path),
        Some(RawVnfdRef::Object(object)) => text(object.name, &path.field("name")),
    }
}

/// A required string that must hold more than whitespace.
fn text(value: Option<String>, path: &Path) -> Result<String> {
    match value {
        None => Err(missing(path)),
        Some(value) if value.trim().is_empty() => {
            Err(CatalogueError::invalid(path.clone(), Violation::Empty))
        }
        Some(value) => Ok(value),
    }
}

fn required_text(value: String, path: &Path) -> Result<String> {
    text(Some(value), path)
}

/// Like [`each`], but the list must be present and hold at least one element.
fn each_of_some<R, T>(
    list: Option<Vec<R>>,
    path: &Path,
    convert: impl Fn(R, &Path) -> Result<T>,
) -> Result<Vec<T>> {
    match list {
        None => Err(missing(path)),
        Some(list) if list.is_empty() => {
            Err(CatalogueError::invalid(path.clone(), Violation::Empty))
        }
        list => each(list, path, convert),
    }
}

/// Converts every element of an optional list (absent: empty), giving each its indexed path.
/// Checks the event's name against Open Baton's list, as its NFVO does at onboarding.
fn lifecycle_event(raw: RawLifecycleEvent, path: &Path) -> Result<LifecycleEvent> {
    let event_path = path.field("event");
    let event = text(raw.event, &event_path)?;
    if !LIFECYCLE_EVENTS.contains(&event.as_str()) {
        return Err(CatalogueError::invalid(event_path, Violation::UnknownEvent { name: event }));
    }
    let scripts = each(raw.lifecycle_events, &path.field("lifecycle_events"), script_name)?;
    Ok(LifecycleEvent { event, scripts })
}

/// A descriptive scalar as text: a string as it is, a number or a boolean written out, anything
/// else (absent, null, a list) empty.
fn scalar(value: Option<serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) => text,
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => v.to_string(),
        _ => String::new(),
    }
}

/// Whether a `vnfPackageLocation` names a package Archipel reads: an uploaded package's id or a
/// local path. Open Baton's URLs (a git repository of scripts) are not fetched.
pub(crate) fn is_package(location: &str) -> bool {
    !location.trim().is_empty() && !location.contains("://")
}

/// A script's file name: its package's `scripts/` folder holds nothing deeper.
fn script_name(value: String, path: &Path) -> Result<String> {
    let name = required_text(value, path)?;
    if name.contains('/') || name == "." || name == ".." || name.len() > 255 {
        return Err(CatalogueError::invalid(path.clone(), Violation::BadScriptName { name }));
    }
    Ok(name)
}

fn each<R, T>(
    list: Option<Vec<R>>,
    path: &Path,
    convert: impl Fn(R, &Path) -> Result<T>,
) -> Result<Vec<T>> {
    list.unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, raw)| convert(raw, &path.index(index)))
        .collect()
}

fn missing(path: &Path) -> CatalogueError {
    CatalogueError::invalid(path.clone(), Violation::Missing)
}
