//! WireGuard between the sites: this site's key pair, the userspace device (boringtun on a TUN,
//! in a process of its own so that it outlives the agent) and its UAPI socket.
//!
//! Inner addresses: a site's address on its WireGuard device is `100.65.X.Y/16`, where `X.Y`
//! are the last two bytes of its underlay address; sites on one underlay subnet of /16 or
//! smaller never share one, and every agent derives any peer's inner address from the underlay
//! address it already knows, so nothing more is exchanged.

mod device;
mod keys;
mod uapi;

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

pub use device::{run_device, Device, DEVICE_SUBCOMMAND};
pub use keys::{KeyPair, PublicKey};
pub use uapi::PeerConfig;

/// The UDP port WireGuard listens on when none is given.
pub const DEFAULT_PORT: u16 = 51820;
/// The prefix of the sites' inner addresses.
const INNER_PREFIX: [u8; 2] = [100, 65];
const INNER_LEN: u8 = 16;

/// How a service's traffic crosses the underlay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encryption {
    /// Plain VXLAN, for a trusted underlay.
    #[default]
    None,
    /// VXLAN inside WireGuard.
    Wireguard,
}

impl std::fmt::Display for Encryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Wireguard => "wireguard",
        })
    }
}

impl std::str::FromStr for Encryption {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Self::None),
            "wireguard" => Ok(Self::Wireguard),
            other => Err(format!("unknown encryption {other:?} (wireguard or none)")),
        }
    }
}

/// What can go wrong with this site's WireGuard.
#[derive(Debug, thiserror::Error)]
pub enum WireguardError {
    #[error("cannot {action} the WireGuard key file {path}")]
    KeyFile {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the WireGuard key file {path} holds no base64 key of 32 bytes")]
    BadKeyFile { path: String },
    #[error("a WireGuard public key must be 32 bytes in base64")]
    BadPublicKey,
    #[error("cannot start the WireGuard device {device}")]
    Spawn {
        device: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the WireGuard device {device} did not come up")]
    NotUp { device: String },
    #[error("the UAPI socket of the WireGuard device {device} failed")]
    Uapi {
        device: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the WireGuard device {device} refused a setting (errno {errno})")]
    Refused { device: String, errno: i32 },
    #[error("cannot run the WireGuard device {device}")]
    Run {
        device: String,
        #[source]
        source: boringtun::device::Error,
    },
}

/// A site's inner address, derived from its underlay address.
pub fn inner_address(underlay: Ipv4Addr) -> Ipv4Addr {
    let [_, _, x, y] = underlay.octets();
    Ipv4Addr::new(INNER_PREFIX[0], INNER_PREFIX[1], x, y)
}

/// A site's inner address with the inner prefix's length, as set on its device.
pub fn inner_network(underlay: Ipv4Addr) -> Ipv4Net {
    Ipv4Net::new(inner_address(underlay), INNER_LEN).unwrap_or_default()
}

/// The device's name: unique on the host (boringtun's UAPI socket,
/// `/var/run/wireguard/NAME.sock`, is shared by every namespace), from the site and its
/// namespace; 11 characters, under the kernel's 15.
pub fn device_name(site: &str, netns: Option<&str>) -> String {
    // FNV-1a: stable across builds, unlike the standard library's hasher.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in site.bytes().chain([0]).chain(netns.unwrap_or_default().bytes()) {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    format!("awg{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_addresses_follow_the_underlay_and_names_fit_the_kernel() {
        let a = inner_network(Ipv4Addr::new(198, 18, 0, 1));
        assert_eq!(a.to_string(), "100.65.0.1/16");
        assert_ne!(device_name("a", Some("lab1-a")), device_name("a", Some("lab2-a")));
        assert_eq!(device_name("a", None).len(), 11);
        assert_eq!("none".parse::<Encryption>(), Ok(Encryption::None));
        assert!("ipsec".parse::<Encryption>().is_err());
    }
}
