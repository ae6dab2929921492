//! Why an NSD was refused, and where in the document.

use thiserror::Error;

use super::model::LIFECYCLE_EVENTS;

/// An NSD refused at onboarding. Every variant names the offending place: a path such as
/// `vnfd[1].vdu[0].vm_image` (`.` for the document itself), and for malformed JSON also the line
/// and column.
#[derive(Debug, Error)]
pub enum CatalogueError {
    /// The bytes are not JSON (beyond the trailing commas Open Baton accepts).
    #[error("malformed JSON at line {line} column {column}")]
    Syntax {
        /// Where the parser was when it gave up.
        path: String,
        line: usize,
        column: usize,
        #[source]
        source: serde_json::Error,
    },
    /// JSON, but not shaped like an Open Baton NSD: an unknown field or a value of the wrong type.
    #[error("{path}: does not fit the Open Baton NSD schema")]
    Schema {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// A well-formed NSD that breaks a catalogue rule.
    #[error("{path}: {violation}")]
    Invalid { path: String, violation: Violation },
}

impl CatalogueError {
    /// The path of the offending value.
    pub fn path(&self) -> &str {
        match self {
            Self::Syntax { path, .. } | Self::Schema { path, .. } | Self::Invalid { path, .. } => {
                path
            }
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, violation: Violation) -> Self {
        Self::Invalid { path: path.into(), violation }
    }
}

/// The catalogue rule an NSD breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Violation {
    #[error("is required")]
    Missing,
    #[error("must not be empty")]
    Empty,
    #[error(
        "`{key}` is given twice in this object with different values (Open Baton would keep the \
         last one silently): keep one"
    )]
    DuplicateKey { key: String },
    #[error("`{name}` is not an Open Baton lifecycle event (one of {})", LIFECYCLE_EVENTS.join(", "))]
    UnknownEvent { name: String },
    #[error(
        "`{name}` is not a script's file name: a lifecycle script is named by its file in the \
         package's `scripts/` folder, without `/`"
    )]
    BadScriptName { name: String },
    #[error("`{location}` is no VNF package: {reason}")]
    UnknownPackage { location: String, reason: String },
    #[error("VNF package `{package}` has no script `{name}` in its scripts/ folder")]
    MissingScript { name: String, package: String },
    #[error("`{name}` is already used at {first}")]
    Duplicate { name: String, first: String },
    #[error("no virtual link `{name}` in the NSD's vld")]
    UnknownVld { name: String },
    #[error("`{name}` is not in the virtual_link of VNFD `{vnfd}`")]
    UnknownVnfdLink { name: String, vnfd: String },
    #[error("no VNFD named `{name}`")]
    UnknownVnfd { name: String },
    #[error("must be at least 1")]
    ZeroScale,
    #[error("{count} VNFCs exceed scale_in_out {scale_in_out}")]
    TooManyVnfcs { count: usize, scale_in_out: u32 },
    #[error("`{name}` cannot depend on itself")]
    SelfDependency { name: String },
    #[error("dependency {source_name} -> {target} is already declared at {first}")]
    DuplicateDependency { source_name: String, target: String, first: String },
    #[error("dependency cycle {}", .cycle.join(" -> "))]
    Cycle {
        /// The VNFD names along the cycle, sources before targets, the first repeated last.
        cycle: Vec<String>,
    },
    #[error(
        "`{parameter}` is neither a virtual link `{source_name}` is attached to, `hostname`, \
         nor one of its configuration keys"
    )]
    UnknownParameter { parameter: String, source_name: String },
    #[error(
        "`{parameter}` is provided, but Archipel fills a provided parameter only from a \
         configuration key of that name, a virtual link the VNF is attached to, or `hostname`: \
         add a configuration parameter `{parameter}`"
    )]
    UnfillableProvides { parameter: String },
    #[error(
        "must be 1 to {limit} ASCII letters, digits, `_`, `.` or `-`, starting with a letter or a \
         digit: it names containers or networks at the sites"
    )]
    BadSiteName { limit: usize },
    #[error(
        "makes the environment variable `{key}`, which is not a valid name: use only ASCII \
         letters, digits and `_`, not starting with a digit (a dependency's variable is \
         UPPER(<source type>_<parameter>))"
    )]
    BadVariable { key: String },
    #[error("holds a NUL or a newline, which an environment variable cannot hold")]
    BadValue,
    #[error("is {bytes} bytes, over the {limit} an environment variable may hold")]
    ValueTooLarge { bytes: usize, limit: usize },
    #[error(
        "is not an image reference: `[HOST[:PORT]/]PATH[:TAG]`, each path part lowercase \
         letters, digits, `.`, `_` or `-` starting with a letter or a digit"
    )]
    BadImage,
    #[error("`{key}` is already set on `{target}` by {first}")]
    MetadataClash { key: String, target: String, first: String },
}
