//! The domain types of popd. The core never sees a protocol type: the gRPC edge converts.

mod command;
mod container;
mod flavour;
mod network;
mod validate;

pub use command::{
    ContainerChange, CreateContainer, CreateNetwork, EndpointRequest, ExecCommand, Flavour,
    PopInfo, Selector, UpdateNetwork,
};
pub use container::{ContainerEndpoint, ContainerState, PopContainer};
pub use flavour::{
    check_flavours, resolve_flavour, FlavourError, FlavourSpec, Limits, MAX_FLAVOURS,
};
pub use network::{reserved_range, LinuxAttachment, PopNetwork};
pub use validate::{
    metadata_bytes, validate_metadata, validate_name, MAX_METADATA_BYTES, MAX_METADATA_ENTRY_BYTES,
    MAX_NAME_LEN,
};

/// The thesis's flavour: no resource limits; the one a Create without a flavour gets.
pub const FLAVOUR_ID: &str = "docker-flavour-id";
pub const FLAVOUR_NAME: &str = "docker.container";

pub use archipel_daemon::ids::{new_id, now as now_unix};
