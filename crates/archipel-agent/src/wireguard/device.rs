//! The userspace WireGuard device: `archipel wireguard-device NAME --state-dir DIR` runs boringtun on a TUN in
//! a process of its own (its own process group, so that it outlives a killed agent and the
//! encrypted traffic goes on); an agent that finds its socket answering adopts it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use boringtun::device::{DeviceConfig, DeviceHandle};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::keys::{KeyPair, PublicKey};
use super::uapi::{self, PeerConfig};
use super::WireguardError;

/// The hidden subcommand of `archipel` that runs a device.
pub const DEVICE_SUBCOMMAND: &str = "wireguard-device";
/// How long a new device has to open its socket: generous, as a loaded machine may take
/// seconds to start a process.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stopped device has to end by itself before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);
/// Two cores are the common case: more threads only contend.
const THREADS: usize = 2;

/// Runs the device `name` in this process until SIGTERM (the body of the hidden subcommand).
pub fn run_device(name: &str) -> Result<(), WireguardError> {
    let config = DeviceConfig { n_threads: THREADS, ..DeviceConfig::default() };
    let mut handle = DeviceHandle::new(name, config)
        .map_err(|source| WireguardError::Run { device: name.to_owned(), source })?;
    handle.wait();
    handle.clean();
    Ok(())
}

/// This site's device: its name, the namespace it runs in, and where its pid and log go.
#[derive(Debug, Clone)]
pub struct Device {
    pub name: String,
    pub netns: Option<String>,
    /// The `archipel` binary.
    pub exe: PathBuf,
    /// The agent's data directory: `wireguard.pid` and `wireguard.log`.
    pub dir: PathBuf,
}

impl Device {
    fn pid_file(&self) -> PathBuf {
        self.dir.join("wireguard.pid")
    }

    /// Whether the device's socket answers.
    pub async fn running(&self) -> bool {
        uapi::peers(&self.name).await.is_ok()
    }

    /// Starts the device unless it runs (a restarted agent adopts it), and gives it `key` and
    /// `port`; true when it was started.
    pub async fn ensure(&self, key: &KeyPair, port: u16) -> Result<bool, WireguardError> {
        let started = !self.running().await;
        if started {
            self.spawn()?;
            let deadline = tokio::time::Instant::now() + START_TIMEOUT;
            while !self.running().await {
                if tokio::time::Instant::now() > deadline {
                    return Err(WireguardError::NotUp { device: self.name.clone() });
                }
                tokio::time::sleep(POLL).await;
            }
        }
        // The port only on a new device: setting it rebinds the socket of a running one. The
        // key again: a device adopted keeps the one it has if it is the same.
        let port = started.then_some(port);
        uapi::set(&self.name, &uapi::own(key, port)).await?;
        Ok(started)
    }

    fn spawn(&self) -> Result<(), WireguardError> {
        let failed = |source| WireguardError::Spawn { device: self.name.clone(), source };
        let log = self.dir.join("wireguard.log");
        let out = File::options().create(true).append(true).open(&log).map_err(failed)?;
        let err = out.try_clone().map_err(failed)?;
        let mut cmd = match &self.netns {
            Some(ns) => {
                let mut cmd = tokio::process::Command::new("ip");
                cmd.args(["netns", "exec", ns]).arg(&self.exe);
                cmd
            }
            None => tokio::process::Command::new(&self.exe),
        };
        let mut child = cmd
            .args([DEVICE_SUBCOMMAND, &self.name])
            .arg("--state-dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(failed)?;
        if let Some(pid) = child.id() {
            std::fs::write(self.pid_file(), pid.to_string()).map_err(failed)?;
        }
        // Reaped here while this agent lives; adopted by init after.
        tokio::spawn(async move { child.wait().await });
        Ok(())
    }

    /// Makes the device's peers exactly `peers`: the others removed, the missing ones added.
    /// A peer present stays as it is, session and all (its endpoint and address follow from
    /// its key's site, which does not move; boringtun changes a peer only by removing it).
    pub async fn set_peers(&self, peers: &[PeerConfig]) -> Result<(), WireguardError> {
        let current = uapi::peers(&self.name).await?;
        for gone in current.iter().filter(|c| !peers.iter().any(|p| p.public.to_hex() == **c)) {
            uapi::set(&self.name, &uapi::removal(gone)).await?;
        }
        for new in peers.iter().filter(|p| !current.contains(&p.public.to_hex())) {
            uapi::set(&self.name, &uapi::peer(new)).await?;
        }
        Ok(())
    }

    /// A peer's key replaced: the old peer removed, the new one added at the same place.
    pub async fn replace_peer(
        &self,
        old: PublicKey,
        new: &PeerConfig,
    ) -> Result<(), WireguardError> {
        uapi::set(&self.name, &uapi::removal(&old.to_hex())).await?;
        uapi::set(&self.name, &uapi::peer(new)).await
    }

    /// A new private key; the peers stay, and their sessions re-key with the next handshake.
    pub async fn set_key(&self, key: &KeyPair) -> Result<(), WireguardError> {
        uapi::set(&self.name, &uapi::own(key, None)).await
    }

    /// Stops the device (SIGTERM; it removes its socket, and its TUN goes with the process)
    /// and waits until the process is gone; one still there after [`STOP_TIMEOUT`] is killed.
    /// The process is found by its pid file, else by its socket's peer (an agent killed
    /// between starting a device and writing the file leaves one without).
    pub async fn stop(&self) -> Result<(), WireguardError> {
        let pid_file = self.pid_file();
        let pid = match read_pid(&pid_file) {
            Some(pid) => Some(pid),
            None => socket_pid(&self.name).await,
        };
        let pid = pid.map(Pid::from_raw);
        let alive = || pid.is_some_and(|pid| kill(pid, None).is_ok());
        for (signal, wait) in [(Signal::SIGTERM, STOP_TIMEOUT), (Signal::SIGKILL, POLL * 40)] {
            if let Some(pid) = pid {
                let _ = kill(pid, signal);
            }
            let deadline = tokio::time::Instant::now() + wait;
            while (alive() || (pid.is_none() && self.running().await))
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(POLL).await;
            }
            if !alive() {
                break;
            }
            tracing::warn!(device = %self.name, "the WireGuard device outlived SIGTERM: killed");
        }
        let _ = std::fs::remove_file(uapi::socket_path(&self.name));
        let _ = std::fs::remove_file(pid_file);
        Ok(())
    }
}

/// The pid of the process serving the device's socket (SO_PEERCRED).
async fn socket_pid(device: &str) -> Option<i32> {
    let stream = tokio::net::UnixStream::connect(uapi::socket_path(device)).await.ok()?;
    stream.peer_cred().ok()?.pid().filter(|pid| *pid > 1)
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok().filter(|pid| *pid > 1)
}
