//! What an NSD's values become at the sites, checked at onboarding so that a descriptor the
//! catalogue takes is one instantiation can run: VNFD names name containers
//! (`NAME-<ns>-<n>`), virtual-link names name Pop networks (`NAME-<ns>`), configuration keys and
//! dependency keys become environment variables, configuration values their values, and
//! `vm_image` entries image references.

use super::error::{CatalogueError, Violation};
use super::model::{metadata_key, Nsd};
use super::path::Path;

/// The longest VNFD or virtual-link name: with `-<8-character ns id>-<index>` added it stays
/// within popd's 128-character names.
pub const MAX_SITE_NAME: usize = 100;
/// The longest image reference (Docker's limit for a repository name is 255).
pub const MAX_IMAGE: usize = 255;
/// The largest configuration value: an environment entry's limit at exec is 128 KiB.
pub const MAX_VALUE_BYTES: usize = 120 * 1024;

type Result<T> = std::result::Result<T, CatalogueError>;

pub(crate) fn check(nsd: &Nsd) -> Result<()> {
    let root = Path::root();
    for (i, link) in nsd.vld.iter().enumerate() {
        site_name(&link.name, root.field("vld").index(i).field("name"))?;
    }
    for (i, vnfd) in nsd.vnfd.iter().enumerate() {
        let path = root.field("vnfd").index(i);
        site_name(&vnfd.name, path.field("name"))?;
        for (j, vdu) in vnfd.vdu.iter().enumerate() {
            for (k, image) in vdu.vm_image.iter().enumerate() {
                let at = path.field("vdu").index(j).field("vm_image").index(k);
                if !is_image_reference(image) {
                    return Err(CatalogueError::invalid(at, Violation::BadImage));
                }
            }
        }
        let parameters = path.field("configurations").field("configurationParameters");
        for (j, parameter) in vnfd.configurations.iter().enumerate() {
            let at = parameters.index(j);
            variable(&parameter.conf_key, at.field("confKey"))?;
            value(&parameter.value, at.field("value"))?;
        }
    }
    for dependency in &nsd.vnf_dependency {
        let Some(source) = nsd.vnfd_named(&dependency.source) else { continue };
        let at = Path::declared(&dependency.declared_at).field("parameters");
        for (j, parameter) in dependency.parameters.iter().enumerate() {
            variable(&metadata_key(&source.vnf_type, parameter), at.index(j))?;
        }
    }
    Ok(())
}

fn site_name(name: &str, path: Path) -> Result<()> {
    let mut chars = name.chars();
    let first = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if first && rest && name.len() <= MAX_SITE_NAME {
        Ok(())
    } else {
        Err(CatalogueError::invalid(path, Violation::BadSiteName { limit: MAX_SITE_NAME }))
    }
}

/// An environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
fn variable(key: &str, path: Path) -> Result<()> {
    let mut chars = key.chars();
    let first = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(CatalogueError::invalid(path, Violation::BadVariable { key: key.to_owned() }))
    }
}

fn value(value: &str, path: Path) -> Result<()> {
    if value.contains(['\0', '\n']) {
        return Err(CatalogueError::invalid(path, Violation::BadValue));
    }
    if value.len() > MAX_VALUE_BYTES {
        let violation = Violation::ValueTooLarge { bytes: value.len(), limit: MAX_VALUE_BYTES };
        return Err(CatalogueError::invalid(path, violation));
    }
    Ok(())
}

/// A Docker image reference in the shape both runtimes take: `[HOST[:PORT]/]PATH[:TAG]`, each
/// path component lowercase letters, digits and `.`, `_`, `-` starting with a letter or digit
/// (so never `.` or `..`), the tag `[A-Za-z0-9_.-]{1,128}`.
fn is_image_reference(image: &str) -> bool {
    if image.is_empty() || image.len() > MAX_IMAGE {
        return false;
    }
    let mut parts: Vec<&str> = image.split('/').collect();
    let last = parts.pop().unwrap_or_default();
    let (name, tag) = last.split_once(':').map_or((last, None), |(n, t)| (n, Some(t)));
    let tag_ok = tag.is_none_or(|t| {
        (1..=128).contains(&t.len())
            && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    });
    // A registry host may hold a port and capitals; it is the first part when it has a dot, a
    // colon or is `localhost`.
    let host = parts.first().filter(|h| h.contains(['.', ':']) || **h == "localhost").copied();
    let host_ok = host.is_none_or(|h| {
        h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            && h.starts_with(|c: char| c.is_ascii_alphanumeric())
    });
    let components = parts.iter().skip(usize::from(host.is_some())).copied().chain([name]);
    tag_ok && host_ok && components.into_iter().all(component)
}

fn component(part: &str) -> bool {
    part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::is_image_reference;

    #[test]
    fn image_references() {
        for ok in [
            "busybox",
            "mcilloni/sipp-client:latest",
            "archipel-test/busybox:latest",
            "localhost:5000/a/b:1.0",
            "registry.example.com/x_y/z-1",
        ] {
            assert!(is_image_reference(ok), "{ok}");
        }
        for bad in ["", "../../etc", "a/../b", "./a", "/etc", "a//b", "A/b", "a:", "a b", "é"] {
            assert!(!is_image_reference(bad), "{bad}");
        }
    }
}
