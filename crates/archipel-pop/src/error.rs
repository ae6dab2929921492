//! The errors of popd's core, one variant per thing that can go wrong, with what it is about.
//! The gRPC edge alone decides the code each answers ([`crate::grpc::status`]); the message
//! says what is wrong and what to do.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use archipel_ipam::IpamError;
use ipnet::Ipv4Net;

use crate::auth::AuthError;
use crate::model::{ContainerState, Selector};
use crate::provider::ProviderError;
use crate::runtime::{Clash, RuntimeError};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PopError {
    // What the call names does not exist.
    #[error("no container with {}; list the containers to see what exists", .selector.describe())]
    ContainerNotFound { selector: Selector },
    #[error("container {id} was deleted meanwhile")]
    ContainerDeleted { id: String },
    #[error("no network with {}; list the networks to see what exists", .selector.describe())]
    NetworkNotFound { selector: Selector },
    /// An endpoint names a network that does not exist.
    #[error("network {name} not found; list the networks or create it first")]
    UnknownNetwork { name: String },
    #[error("network {name} was deleted meanwhile")]
    NetworkDeleted { name: String },
    #[error("image {image} not found on this site; list the site's images or pull it first")]
    ImageNotFound { image: String },
    #[error("the workload of container {container} is gone, and its output with it")]
    OutputGone { container: String },

    // The request itself is wrong.
    /// A call about one container or network came without an id or a name.
    #[error("a filter with the {what}'s id or name is required")]
    FilterRequired { what: &'static str },
    #[error("a {what} name is required")]
    NameRequired { what: &'static str },
    #[error(
        "invalid {what} name {name:?}: use a letter or digit, then letters, digits, '_', '.' \
         or '-', at most {} characters",
        crate::model::MAX_NAME_LEN
    )]
    InvalidName { what: &'static str, name: String },
    #[error(
        "invalid metadata key {key:?}: it becomes an environment variable, so use a letter or \
         '_', then letters, digits or '_'"
    )]
    InvalidMetadataKey { key: String },
    #[error("invalid value for metadata key {key}: it must hold no NUL and no newline")]
    InvalidMetadataValue { key: String },
    #[error(
        "metadata key {key}: the entry takes {bytes} bytes in the environment (KEY=VALUE), over \
         the limit of {limit} bytes per entry"
    )]
    MetadataEntryTooLarge { key: String, bytes: usize, limit: usize },
    #[error(
        "metadata key {key}: it would bring the container's metadata to {bytes} bytes in the \
         environment, over the limit of {limit} bytes per container; delete keys (an empty \
         value) or shorten values"
    )]
    MetadataTooLarge { key: String, bytes: usize, limit: usize },
    /// `what` says which address of the request.
    #[error("{what} {text:?} is not an IPv4 address")]
    NotAnAddress { what: String, text: String },
    #[error("network {network}: subnet {text:?} is not an IPv4 prefix like 10.0.0.0/24")]
    NotAPrefix { network: String, text: String },
    #[error("an endpoint must name its network")]
    EndpointWithoutNetwork,
    #[error("network {network} is named by two endpoints; give one endpoint per network")]
    NetworkTwice { network: String },
    #[error(
        "unknown flavour {flavour:?}: this popd offers only {} (id {}); leave the flavour empty",
        crate::model::FLAVOUR_NAME,
        crate::model::FLAVOUR_ID
    )]
    UnknownFlavour { flavour: String },
    #[error("an image is required")]
    ImageRequired,
    #[error("invalid command: {reason}")]
    InvalidCommand { reason: String },
    #[error("the field `path` is required: the image directory, an absolute path on popd's host")]
    ImagePathRequired,
    #[error("the field `path` ({}) must be absolute: a directory on popd's host", .path.display())]
    ImagePathRelative { path: PathBuf },
    /// The directory to import is not a valid image; the source names the manifest's field.
    #[error("the image directory is invalid")]
    InvalidImage(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("mtu {mtu} is out of range; use {min}..={max} (0 keeps the default)")]
    MtuOutOfRange { mtu: u32, min: u32, max: u32 },
    #[error("network {network}: invalid subnet plan")]
    InvalidSubnetPlan {
        network: String,
        #[source]
        source: IpamError,
    },
    #[error("network {network}: invalid pools")]
    InvalidPools {
        network: String,
        #[source]
        source: IpamError,
    },
    #[error(
        "network {network}: subnet {subnet} overlaps the {range} range, which holds no \
         addresses of a link; choose a private subnet such as 10.0.0.0/24"
    )]
    ReservedSubnet { network: String, subnet: Ipv4Net, range: &'static str },
    /// The site's namespace already uses the subnet or the gateway.
    #[error("network {network}: {clash}; choose another subnet or free it in the site first")]
    SiteConflict { network: String, clash: Clash },
    #[error(
        "subnet {subnet} overlaps subnet {other} of network {network}; choose a disjoint subnet"
    )]
    SubnetOverlap { subnet: Ipv4Net, other: Ipv4Net, network: String },
    /// An address of the request is outside the subnet or one of its reserved addresses.
    #[error("network {network}: {problem}; ask for a free host address of the subnet")]
    AddressUnusable { network: String, problem: IpamError },
    /// Any other address or pool of `network` that cannot be used.
    #[error("network {network}")]
    InvalidAddressing {
        network: String,
        #[source]
        source: IpamError,
    },
    #[error("the default subnet {subnet} cannot be used")]
    DefaultSubnetUnusable {
        subnet: Ipv4Net,
        #[source]
        source: IpamError,
    },

    // A name or an address is already taken.
    #[error("a container named {name} already exists; choose another name or delete it first")]
    ContainerExists { name: String },
    #[error("a network named {name} already exists; choose another name")]
    NetworkExists { name: String },
    #[error(
        "network {network}: address {addr} is already taken; ask for another address or leave \
         it empty for a free one"
    )]
    AddressTaken { addr: Ipv4Addr, network: String },
    #[error(
        "an image named {name} (the manifest's `name`) is already in the site's image \
         catalogue; give the manifest another name, or remove that image's directory from the \
         catalogue first to replace it"
    )]
    ImageExists { name: String },

    // The object is not in a state that allows the call.
    /// `rule` says what the state allows.
    #[error("container {container} is {state}; {rule}")]
    WrongState { container: String, state: ContainerState, rule: String },
    #[error("network {network} of container {container} is gone")]
    EndpointNetworkGone { network: String, container: String },
    #[error("container {container} has never run, so it has no output; start it first")]
    NeverRan { container: String },
    #[error(
        "network {network} still holds addresses of containers {}; delete them first",
        .containers.join(", ")
    )]
    NetworkInUse { network: String, containers: Vec<String> },
    #[error(
        "network {network}: address {addr} is in use but outside the new pools; keep it inside \
         the pools or delete its container first"
    )]
    InUseOutsidePools { addr: Ipv4Addr, network: String },
    /// The site's runtime has no such operation.
    #[error("{what}")]
    Unsupported { what: String },

    // An address pool is exhausted.
    #[error(
        "network {network}: address pool exhausted: every address of {pools} is taken; delete \
         containers or widen the network's pools"
    )]
    PoolExhausted { network: String, pools: String },
    /// The pool provider was asked for more addresses and gave none.
    #[error("{exhausted}; the site's agent gave no more addresses")]
    NotRefilled {
        exhausted: Box<PopError>,
        #[source]
        source: ProviderError,
    },

    // No valid session.
    #[error("no session token: call Login and send its token in gRPC metadata key \"token\"")]
    NoToken,
    /// The one answer to every failed login, whatever was wrong.
    #[error("invalid username or password; check the credentials and log in again")]
    BadLogin,
    #[error("the session has expired; log in again")]
    SessionExpired,
    #[error("the token is not a valid session; log in again")]
    UnknownSession,

    /// Any other failure of the runtime; its kind decides the code (see the gRPC edge).
    #[error("the runtime failed")]
    Runtime(#[source] RuntimeError),
    #[error("popd's store failed")]
    Store(#[source] StoreError),
    /// The users or the settings cannot be used.
    #[error("popd's authentication settings are unusable")]
    Auth(#[source] AuthError),
    /// The file system popd writes to is full (or the quota is spent).
    #[error(
        "the file system holding {} is full; free space there (delete ended containers, whose \
         records and logs stay until Delete, or other files) and retry",
        .path.display()
    )]
    DiskFull {
        path: PathBuf,
        #[source]
        source: Box<PopError>,
    },
    /// popd is shutting down and did not finish the call.
    #[error("popd is shutting down; retry against the restarted popd")]
    ShuttingDown,
    /// The server could not start (never sent to a client).
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// A TLS file cannot be used (never sent to a client).
    #[error("popd's TLS settings are unusable")]
    Tls(#[source] archipel_daemon::tls::TlsError),
    /// The gRPC transport failed (never sent to a client).
    #[error("the gRPC server failed")]
    Serve(#[source] tonic::transport::Error),
}

impl PopError {
    /// The error of an address that cannot be reserved on `network`.
    pub fn address(network: &str, e: IpamError) -> Self {
        let network = network.to_owned();
        match e {
            IpamError::Taken(addr) => PopError::AddressTaken { addr, network },
            IpamError::Exhausted { pools } => PopError::PoolExhausted { network, pools },
            IpamError::OutsideSubnet { .. } | IpamError::Reserved { .. } => {
                PopError::AddressUnusable { network, problem: e }
            }
            source => PopError::InvalidAddressing { network, source },
        }
    }

    /// [`PopError::DiskFull`] if the error comes from a full file system (naming the path
    /// written, else `store`, popd's database), else the error itself.
    pub fn on_full_disk(self, store: &Path) -> Self {
        match crate::disk::full(&self) {
            None => self,
            Some(path) => {
                let path = path.unwrap_or_else(|| store.to_owned());
                PopError::DiskFull { path, source: Box::new(self) }
            }
        }
    }

    /// The error of new pools that `network` cannot take.
    pub fn pools(network: &str, e: IpamError) -> Self {
        let network = network.to_owned();
        match e {
            IpamError::InUseOutsidePools { addr } => PopError::InUseOutsidePools { addr, network },
            source => PopError::InvalidPools { network, source },
        }
    }
}

impl From<RuntimeError> for PopError {
    /// Lifts what the caller can act on into the core's own variants.
    fn from(e: RuntimeError) -> Self {
        match e {
            RuntimeError::ImageNotFound(image) => PopError::ImageNotFound { image },
            RuntimeError::Unsupported { what } => PopError::Unsupported { what },
            RuntimeError::InvalidImage(source) => PopError::InvalidImage(source),
            RuntimeError::ImageExists { name } => PopError::ImageExists { name },
            RuntimeError::SiteConflict { network, clash } => {
                PopError::SiteConflict { network, clash }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts users see, word for word.
    #[test]
    fn messages() {
        let taken = PopError::address("mgmt", IpamError::Taken("10.0.0.5".parse().unwrap()));
        assert_eq!(
            taken.to_string(),
            "network mgmt: address 10.0.0.5 is already taken; ask for another address or leave \
             it empty for a free one"
        );
        let exhausted = PopError::address("mgmt", IpamError::Exhausted { pools: "p".into() });
        assert_eq!(
            exhausted.to_string(),
            "network mgmt: address pool exhausted: every address of p is taken; delete \
             containers or widen the network's pools"
        );
        let name = PopError::InvalidName { what: "container", name: "-a".into() };
        assert_eq!(
            name.to_string(),
            "invalid container name \"-a\": use a letter or digit, then letters, digits, '_', \
             '.' or '-', at most 128 characters"
        );
        let flavour = PopError::UnknownFlavour { flavour: "m1".into() };
        assert_eq!(
            flavour.to_string(),
            "unknown flavour \"m1\": this popd offers only docker.container (id \
             docker-flavour-id); leave the flavour empty"
        );
        let key = PopError::InvalidMetadataKey { key: "A-B".into() };
        assert_eq!(
            key.to_string(),
            "invalid metadata key \"A-B\": it becomes an environment variable, so use a letter \
             or '_', then letters, digits or '_'"
        );
        let busy = PopError::NetworkInUse {
            network: "n".into(),
            containers: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            busy.to_string(),
            "network n still holds addresses of containers a, b; delete them first"
        );
        let refill = PopError::NotRefilled {
            exhausted: Box::new(exhausted),
            source: ProviderError::Refused { status: 409, message: "reserve empty".into() },
        };
        assert!(chain(&refill).ends_with(
            "the site's agent gave no more addresses: the pool provider refused (409): reserve empty"
        ));
    }
}
