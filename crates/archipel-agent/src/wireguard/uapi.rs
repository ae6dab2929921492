//! A client of the WireGuard UAPI (`set=1`/`get=1` on the device's unix socket), the protocol
//! the `wg` tool speaks to boringtun and to wireguard-go.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::UnixStream;

use super::keys::{KeyPair, PublicKey};
use super::WireguardError;

/// Where boringtun puts a device's socket.
const SOCKET_DIR: &str = "/var/run/wireguard";
/// An answer longer than this is not a device's.
const MAX_ANSWER: usize = 1 << 20;

pub(super) fn socket_path(device: &str) -> PathBuf {
    PathBuf::from(SOCKET_DIR).join(format!("{device}.sock"))
}

/// A peer site on the device: its key, where it listens, its inner address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerConfig {
    pub public: PublicKey,
    pub endpoint: SocketAddrV4,
    pub inner: Ipv4Addr,
}

/// The device's own settings: the private key, and the port when given.
pub(super) fn own(key: &KeyPair, port: Option<u16>) -> String {
    let port = port.map(|p| format!("listen_port={p}\n")).unwrap_or_default();
    format!("private_key={}\n{port}", key.private_hex())
}

/// A new peer.
pub(super) fn peer(p: &PeerConfig) -> String {
    format!(
        "public_key={}\nendpoint={}\nallowed_ip={}/32\n",
        p.public.to_hex(),
        p.endpoint,
        p.inner
    )
}

/// A peer removed.
pub(super) fn removal(public_hex: &str) -> String {
    format!("public_key={public_hex}\nremove=true\n")
}

/// One `set=1` request.
pub(super) async fn set(device: &str, body: &str) -> Result<(), WireguardError> {
    let answer = call(device, &format!("set=1\n{body}\n")).await?;
    match errno(&answer) {
        0 => Ok(()),
        errno => Err(WireguardError::Refused { device: device.to_owned(), errno }),
    }
}

/// The public keys (hex) of the device's peers.
pub(super) async fn peers(device: &str) -> Result<Vec<String>, WireguardError> {
    let answer = call(device, "get=1\n\n").await?;
    match errno(&answer) {
        0 => Ok(answer
            .iter()
            .filter_map(|l| l.strip_prefix("public_key="))
            .map(str::to_owned)
            .collect()),
        errno => Err(WireguardError::Refused { device: device.to_owned(), errno }),
    }
}

fn errno(answer: &[String]) -> i32 {
    answer.iter().find_map(|l| l.strip_prefix("errno=")).and_then(|n| n.parse().ok()).unwrap_or(-1)
}

/// Sends `request` and reads the answer's lines up to the empty line that ends it.
async fn call(device: &str, request: &str) -> Result<Vec<String>, WireguardError> {
    let failed = |source| WireguardError::Uapi { device: device.to_owned(), source };
    let mut stream = UnixStream::connect(socket_path(device)).await.map_err(failed)?;
    stream.write_all(request.as_bytes()).await.map_err(failed)?;
    let mut reader = BufReader::new(stream);
    let (mut lines, mut read) = (Vec::new(), 0);
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).await.map_err(failed)?;
        read += n;
        let line = line.trim_end();
        if n == 0 || line.is_empty() || read > MAX_ANSWER {
            return Ok(lines);
        }
        let done = line.starts_with("errno=");
        lines.push(line.to_owned());
        if done {
            return Ok(lines);
        }
    }
}
