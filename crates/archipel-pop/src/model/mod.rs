//! The domain types of popd. The core never sees a protocol type: the gRPC edge converts.

mod command;
mod container;
mod network;
mod validate;

pub use command::{
    ContainerChange, CreateContainer, CreateNetwork, EndpointRequest, Flavour, PopInfo, Selector,
    UpdateNetwork,
};
pub use container::{ContainerEndpoint, ContainerState, PopContainer};
pub use network::{LinuxAttachment, PopNetwork};
pub use validate::{validate_metadata, validate_name, MAX_NAME_LEN};

/// The thesis's only flavour: no resource limits; every container uses it.
pub const FLAVOUR_ID: &str = "docker-flavour-id";
pub const FLAVOUR_NAME: &str = "docker.container";

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A random identifier shaped like a version 4 UUID (8-4-4-4-12 hex digits).
pub fn new_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_distinct() {
        let a = new_id();
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, new_id());
    }
}
