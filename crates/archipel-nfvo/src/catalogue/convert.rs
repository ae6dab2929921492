//! From the raw document to the model: every field Archipel acts on is present and well formed
//! on its own. Rules that relate several places are in [`super::check`].

use super::error::{CatalogueError, Violation};
use super::model::{
    ConfigurationParameter, ConnectionPoint, DeploymentFlavour, Nsd, Vdu, VirtualLink,
    VnfDependency, Vnfc, Vnfd,
};
use super::path::Path;
use super::raw::{
    RawConfigurationParameter, RawConnectionPoint, RawDependency, RawDeploymentFlavour, RawNsd,
    RawVdu, RawVirtualLink, RawVnfc, RawVnfd, RawVnfdRef,
};

type Result<T> = std::result::Result<T, CatalogueError>;

pub(crate) fn nsd(raw: RawNsd) -> Result<Nsd> {
    let root = Path::root();
    Ok(Nsd {
        name: text(raw.name, &root.field("name"))?,
        vendor: text(raw.vendor, &root.field("vendor"))?,
        version: text(raw.version, &root.field("version"))?,
        vld: each(raw.vld, &root.field("vld"), virtual_link)?,
        vnfd: each_of_some(raw.vnfd, &root.field("vnfd"), self::vnfd)?,
        vnf_dependency: each(raw.vnf_dependency, &root.field("vnf_dependency"), dependency)?,
    })
}

fn virtual_link(raw: RawVirtualLink, path: &Path) -> Result<VirtualLink> {
    Ok(VirtualLink { name: text(raw.name, &path.field("name"))? })
}

fn vnfd(raw: RawVnfd, path: &Path) -> Result<Vnfd> {
    let configurations = match raw.configurations {
        Some(configurations) => {
            let path = path.field("configurations").field("configurationParameters");
            each(configurations.configuration_parameters, &path, configuration)?
        }
        None => Vec::new(),
    };
    Ok(Vnfd {
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
    })
}

fn configuration(raw: RawConfigurationParameter, path: &Path) -> Result<ConfigurationParameter> {
    Ok(ConfigurationParameter {
        conf_key: text(raw.conf_key, &path.field("confKey"))?,
        value: raw.value.ok_or_else(|| missing(&path.field("value")))?,
    })
}

fn vdu(raw: RawVdu, path: &Path) -> Result<Vdu> {
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
