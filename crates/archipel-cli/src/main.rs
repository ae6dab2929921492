//! `archipel`: every Archipel daemon and client in one binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod credentials;
mod logging;
mod output;
mod prompt;
mod usage;

/// Archipel orchestrates containerized network functions across sites.
#[derive(Debug, Parser)]
#[command(name = "archipel", version)]
struct Cli {
    /// How logs are written on stderr; RUST_LOG filters them (info when unset; warn for demo).
    #[arg(long, global = true, value_enum, default_value_t)]
    log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Pop server (VIM) of one site.
    Popd(cmd::popd::PopdArgs),
    /// Drive a Pop server: containers, networks, images (the thesis's `pop`).
    Pop(cmd::pop::PopArgs),
    /// Run the orchestrator: NSD catalogue, network-service lifecycle, generic VNF manager.
    Nfvo(cmd::nfvo::NfvoArgs),
    /// Register the sites the orchestrator places network functions on.
    Site(cmd::site::SiteArgs),
    /// Onboard NSDs and launch, scale and terminate network services.
    Ns(cmd::ns::NsArgs),
    /// Log in to the orchestrator; the token is kept for the next commands.
    Login(cmd::login::LoginArgs),
    /// Log out of the orchestrator.
    Logout(cmd::logout::LogoutArgs),
    /// Manage the orchestrator's users (admins).
    User(cmd::user::UserArgs),
    /// Manage API keys for automation.
    Apikey(cmd::apikey::ApikeyArgs),
    /// Run the inter-site agent (DIMINET) of one site.
    Agent(cmd::agent::AgentCli),
    /// Extend (L2) or route (L3) networks between sites, through an agent's North interface.
    Intersite(cmd::intersite::IntersiteArgs),
    /// A certificate authority and certificates for the daemons' TLS.
    Pki(cmd::pki::PkiArgs),
    /// An N-site lab on this machine: namespaces, an underlay, a popd and an agent per site.
    Lab(cmd::lab::LabArgs),
    // Its help is DemoArgs's: a variant's doc comment would replace the long one.
    Demo(cmd::demo::DemoArgs),
    /// The userspace WireGuard device an agent runs (not for users).
    #[command(name = "wireguard-device", hide = true)]
    WireguardDevice(cmd::wireguard_device::WireguardDeviceArgs),
    /// The last step of a native container's start (not for users).
    #[command(name = "container-init", hide = true)]
    ContainerInit(cmd::container_init::ContainerInitArgs),
    /// Runs a command inside a native container (not for users).
    #[command(name = "container-enter", hide = true)]
    ContainerEnter(cmd::container_enter::ContainerEnterArgs),
}

fn main() -> ExitCode {
    bound_heap_growth();
    // Stores, keys, tokens, addresses, workloads' state and logs: nobody but their owner reads
    // what any subcommand writes.
    archipel_daemon::owner_only_files();
    let cli = Cli::parse();
    // Single-threaded, as entering a mount namespace requires; no log: their stderr is the
    // workload's.
    match cli.command {
        Command::ContainerInit(args) => return ExitCode::from(cmd::container_init::run(args)),
        Command::ContainerEnter(args) => return ExitCode::from(cmd::container_enter::run(args)),
        _ => {}
    }
    // Before any other thread exists: boringtun takes SIGTERM through a signalfd, which works
    // only if no thread (such as a Tokio worker) can take the signal itself and die without
    // removing the device's socket.
    if let Command::WireguardDevice(args) = cli.command {
        logging::init(cli.log_format, "info");
        return finish(cmd::wireguard_device::run(args));
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

/// Keeps glibc from holding on to large freed blocks. Its mmap threshold rises after the first
/// large block is freed, so later ones (argon2's 19 MiB per login) are carved from per-thread
/// arenas and stay resident: popd grew by over 100 MiB after a few logins. A fixed threshold
/// sends every block of 128 KiB or more to mmap, which returns it to the system when freed.
#[allow(unsafe_code)]
fn bound_heap_growth() {
    // SAFETY: mallopt only sets a parameter of glibc's allocator; it is called first thing in
    // main, before any other thread exists, and takes no pointer.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

async fn run(cli: Cli) -> ExitCode {
    // The demo shows its own progress; the orchestrator it runs logs only warnings unless asked.
    let quiet = matches!(cli.command, Command::Demo(_));
    logging::init(cli.log_format, if quiet { "warn" } else { "info" });
    let result = match cli.command {
        Command::Popd(args) => cmd::popd::run(args).await,
        Command::Pop(args) => cmd::pop::run(args).await,
        Command::Nfvo(args) => cmd::nfvo::run(args).await,
        Command::Site(args) => cmd::site::run(args).await,
        Command::Ns(args) => cmd::ns::run(args).await,
        Command::Login(args) => cmd::login::run(args).await,
        Command::Logout(args) => cmd::logout::run(args).await,
        Command::User(args) => cmd::user::run(args).await,
        Command::Apikey(args) => cmd::apikey::run(args).await,
        Command::Agent(args) => cmd::agent::run(args).await,
        Command::Intersite(args) => cmd::intersite::run(args).await,
        Command::Pki(args) => cmd::pki::run(args),
        Command::Lab(args) => cmd::lab::run(args).await,
        Command::Demo(args) => cmd::demo::run(args).await,
        Command::WireguardDevice(args) => cmd::wireguard_device::run(args),
        // Taken in main, before any thread exists.
        Command::ContainerInit(_) | Command::ContainerEnter(_) => Ok(()),
    };
    finish(result)
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", usage::error_line(&err));
            ExitCode::from(usage::exit_code(&err))
        }
    }
}
