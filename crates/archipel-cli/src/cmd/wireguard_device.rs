//! `archipel wireguard-device NAME --state-dir DIR` (hidden): the userspace WireGuard device an agent starts
//! in its site's namespace; it runs until SIGTERM, configured through its UAPI socket.

use archipel_agent::wireguard::run_device;
use clap::Args;

#[derive(Debug, Args)]
pub struct WireguardDeviceArgs {
    /// The TUN device's name (its UAPI socket is /var/run/wireguard/NAME.sock).
    name: String,
    /// The data directory of the agent that started it, where its pid and log are: whoever
    /// cleans up after the agent finds the device by it.
    #[arg(long, value_name = "DIR")]
    state_dir: std::path::PathBuf,
}

pub fn run(args: WireguardDeviceArgs) -> anyhow::Result<()> {
    Ok(run_device(&args.name)?)
}
