//! The NSD catalogue: onboarding of Network Service Descriptors written in Open Baton's JSON.
//!
//! [`parse_nsd`] reads a descriptor and checks it; what it returns is safe for the lifecycle
//! engine to act on. Archipel acts on a subset of Open Baton's fields (see [`Nsd`] and the types
//! it holds); the other fields Open Baton defines are accepted and ignored, and any field Open
//! Baton does not define is refused with its path.

mod check;
mod convert;
mod error;
mod keys;
mod lenient;
mod model;
mod order;
mod path;
mod raw;
mod site_names;
mod warnings;

use serde_json::error::Category;

pub use error::{CatalogueError, Violation};
pub use model::{
    metadata_key, ConfigurationParameter, ConnectionPoint, DeploymentFlavour, LifecycleEvent, Nsd,
    ParameterKind, Vdu, VirtualLink, VnfDependency, Vnfc, Vnfd, LIFECYCLE_EVENTS,
};
pub use warnings::{warnings, Warning};

/// Parses and validates an NSD. Refuses, with the path of the offending value: malformed JSON
/// (also with line and column), unknown fields, values of the wrong type, missing or empty
/// required fields, duplicate names, references to missing VNFDs or virtual links, dependency
/// parameters the source cannot provide, a key given twice with different values, and
/// lifecycle events Open Baton does not know. Dependency cycles are taken, as Open Baton takes
/// them; [`Nsd::check_acyclic`] refuses them for an NFVO with ordered start.
pub fn parse_nsd(json: &[u8]) -> Result<Nsd, CatalogueError> {
    // Gson skips a leading byte order mark; so do we.
    let json = json.strip_prefix(UTF8_BOM).unwrap_or(json);
    let json = lenient::blank_trailing_array_commas(json);
    let mut deserializer = serde_json::Deserializer::from_slice(&json);
    let tree: keys::Node =
        serde_path_to_error::deserialize(&mut deserializer).map_err(serde_error)?;
    deserializer.end().map_err(|source| CatalogueError::Syntax {
        path: path::Path::root().into(),
        line: source.line(),
        column: source.column(),
        source,
    })?;
    let document = tree.into_value(&path::Path::root())?;
    let raw: raw::RawNsd = serde_path_to_error::deserialize(document).map_err(serde_error)?;
    let nsd = convert::nsd(raw)?;
    check::check(&nsd)?;
    site_names::check(&nsd)?;
    Ok(nsd)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn serde_error(error: serde_path_to_error::Error<serde_json::Error>) -> CatalogueError {
    let path = path::Path::tracked(error.path()).into();
    let source = error.into_inner();
    match source.classify() {
        Category::Data => CatalogueError::Schema { path, source },
        Category::Syntax | Category::Eof | Category::Io => {
            CatalogueError::Syntax { path, line: source.line(), column: source.column(), source }
        }
    }
}
