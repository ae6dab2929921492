//! The errors of popd's core. Each variant maps to one gRPC code at the edge
//! ([`crate::grpc::status`]); the message says what is wrong and what to do.

use crate::auth::AuthError;
use crate::runtime::RuntimeError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PopError {
    /// NOT_FOUND: a container, network or image the call names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// INVALID_ARGUMENT: the request itself is wrong.
    #[error("{0}")]
    InvalidArgument(String),
    /// ALREADY_EXISTS: a name or an address is already taken.
    #[error("{0}")]
    AlreadyExists(String),
    /// FAILED_PRECONDITION: the object is not in a state that allows the call.
    #[error("{0}")]
    FailedPrecondition(String),
    /// RESOURCE_EXHAUSTED: an address pool is exhausted.
    #[error("{0}")]
    ResourceExhausted(String),
    /// UNAUTHENTICATED: no valid session.
    #[error("{0}")]
    Unauthenticated(String),
    /// The code depends on the runtime error (see the gRPC edge).
    #[error("the runtime failed")]
    Runtime(#[source] RuntimeError),
    /// INTERNAL.
    #[error("popd's store failed")]
    Store(#[source] StoreError),
    /// INTERNAL: the users or the settings cannot be used.
    #[error("popd's authentication settings are unusable")]
    Auth(#[source] AuthError),
    /// UNAVAILABLE: popd is shutting down and did not finish the call.
    #[error("popd is shutting down; retry against the restarted popd")]
    ShuttingDown,
    /// The server could not start (never sent to a client).
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// The gRPC transport failed (never sent to a client).
    #[error("the gRPC server failed")]
    Serve(#[source] tonic::transport::Error),
}

impl From<RuntimeError> for PopError {
    fn from(e: RuntimeError) -> Self {
        match e {
            RuntimeError::ImageNotFound(image) => PopError::NotFound(format!(
                "image {image} not found on this site; list the site's images or pull it first"
            )),
            RuntimeError::Unsupported { what } => PopError::FailedPrecondition(what),
            RuntimeError::InvalidImage(_) => PopError::InvalidArgument(chain(&e)),
            RuntimeError::ImageExists { name } => PopError::AlreadyExists(format!(
                "an image named {name} (the manifest's `name`) is already in the site's image \
                 catalogue; give the manifest another name, or remove that image's directory \
                 from the catalogue first to replace it"
            )),
            other => PopError::Runtime(other),
        }
    }
}

impl From<StoreError> for PopError {
    fn from(e: StoreError) -> Self {
        PopError::Store(e)
    }
}

impl From<AuthError> for PopError {
    fn from(e: AuthError) -> Self {
        PopError::Auth(e)
    }
}

pub use archipel_daemon::chain;
