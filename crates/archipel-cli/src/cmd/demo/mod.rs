//! `archipel demo`: the showcase. On a machine with nothing of Archipel's running, it brings
//! up a two-site lab, runs the orchestrator in this process, registers the sites, onboards the
//! thesis's SIPp NSD, launches it with the server on site a and the client on site b (their
//! virtual link one subnet stretched over both sites by the agents), shows SIPp's own counters
//! of the calls, prints the NSR, and takes everything down, also after a failure or Ctrl-C.
//! One file per concern.

use std::path::PathBuf;
use std::time::Instant;

use archipel_lab::DEFAULT_UNDERLAY;
use clap::Args;
use ipnet::Ipv4Net;

use crate::output::Format;

mod forward;
mod images;
mod interrupts;
mod keep;
mod launch;
mod made;
mod nsd;
mod ops;
mod orchestrator;
mod preflight;
mod progress;
mod sipp;
mod sites;
mod teardown;
mod views;

use interrupts::Interrupts;
use made::Made;
use preflight::Runtime;
use progress::{seconds, Progress};

/// Run the showcase: the thesis's SIPp service across a two-site lab, then everything removed.
#[derive(Debug, Args)]
#[command(
    long_about = "\
Run the showcase on this machine, as root, with nothing of Archipel's running:

  1. a lab of two sites, a and b: a network namespace each on a shared underlay, each with
     its own popd (native runtime: no Docker; with --runtime docker, site b on the host's
     Docker Engine) and its own inter-site agent (archipel lab up);
  2. the native example images (SIPp client and server, running the host's sipp) installed in
     the lab's image catalogue;
  3. the orchestrator (NFVO), in this process, its REST API on a free port of 127.0.0.1, and
     driven through that API like `archipel site` and `archipel ns` do;
  4. sites a and b registered by their popd and agent;
  5. the thesis's SIPp NSD (examples/sipp/nsd.json, built into this binary) onboarded
     unchanged but for SIPP_CALLS (and SIPP_TIMEOUT) added to the client's configuration, so
     that the client stops after --calls calls;
  6. the network service launched with sipp-server on site a and sipp-client on site b: its
     virtual link becomes one subnet stretched over both sites (an L2 extension over VXLAN,
     made by the agents), and the client gets the server's address;
  7. the client followed at site b's popd until it ends, then SIPp's own screens from the
     containers' logs: the client's successful and failed calls, and the server's received
     INVITEs (it prints them as it is stopped);
  8. the NSR (network-service record): VNFC instances with their sites and addresses, the
     networks and the L2 extension;
  9. the network service terminated, the NFVO stopped, the lab taken down and its directory
     removed.

Each step prints one line as it happens, ended by its duration. The demo fails (exit code 1)
unless every call succeeded. After a failure, or at SIGINT (Ctrl-C) or SIGTERM, everything made
so far is taken down all the same (a second signal stops the teardown).

With --keep, the lab and the network service stay (also after a failure; an interruption
still takes everything down), the NFVO stops with its store kept in DIR/nfvo, and the demo
prints how to look around and how to remove it all (archipel lab --dir DIR down).

Needs: root, iproute2, sipp (Debian package sip-tester); scripts/demo.sh installs them. With
--runtime docker: a running Docker Engine and the Docker test images.",
    after_help = "\
Examples:
  archipel demo
  archipel demo --keep --dir /tmp/demo
  archipel demo --calls 50 --output json
  archipel demo --runtime docker"
)]
pub struct DemoArgs {
    /// The lab's directory: its context (lab.json), the daemons' data and logs, the image
    /// catalogue, the NFVO's store (DIR/nfvo). A lab already there is refused.
    #[arg(long, value_name = "DIR", default_value = "/run/archipel/demo")]
    pub dir: PathBuf,
    /// Leave the lab and the network service running, and print how to look around and how
    /// to stop.
    #[arg(long)]
    pub keep: bool,
    /// Where the client's site runs its containers. With docker, site b's popd runs on the
    /// host's Docker Engine (the Docker test images, built by
    /// examples/images/build-docker-test-images.sh) and site a stays native: the service is
    /// split over a native and a Docker site. A lab holds one Docker site at most.
    #[arg(long, value_enum, default_value_t)]
    pub runtime: Runtime,
    /// With --runtime docker: the subnet of site b's default Docker network, which must overlap
    /// no other network of the host.
    #[arg(long, value_name = "CIDR", default_value = "198.19.0.0/24")]
    pub docker_subnet: Ipv4Net,
    /// How many calls the SIPp client places (SIPP_CALLS).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub calls: u32,
    /// How the NSR prints at the end (table: its VNFCs, networks and extensions too).
    #[arg(long, short = 'o', value_enum, default_value_t)]
    pub output: Format,
    /// Prefixes the lab's namespaces and host link (at most 12 lowercase letters or digits).
    #[arg(long, default_value = "demo")]
    pub name: String,
    /// The lab's underlay, a /24 or larger; change it if another lab already uses it.
    #[arg(long, value_name = "CIDR", default_value = DEFAULT_UNDERLAY)]
    pub underlay: Ipv4Net,
    /// Plain text instead of TLS between the daemons (by default the lab makes a CA and a
    /// certificate per daemon, and every call is over TLS).
    #[arg(long)]
    pub insecure: bool,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    // First: a signal that comes while the demo starts must not leave anything behind.
    let mut interrupts = Interrupts::install()?;
    preflight::check(&args)?;
    let started = Instant::now();
    let progress = Progress::new();
    let mut made = Made::new(&args.dir);
    let outcome = tokio::select! {
        result = forward::forward(&args, &progress, &mut made) => Ok(result),
        signal = interrupts.recv() => Err(signal),
    };
    match outcome {
        Ok(Ok(())) if args.keep => keep::keep(&mut made, &progress).await,
        Ok(Err(err)) if args.keep => {
            if let Err(also) = keep::keep(&mut made, &progress).await {
                tracing::warn!(error = %format!("{also:#}"), "stopping the NFVO failed too");
            }
            Err(err)
        }
        Ok(Ok(())) => {
            teardown(&mut made, &progress, &mut interrupts).await?;
            let took = seconds(started.elapsed().as_secs_f64());
            progress.heading(format!("done in {took}: nothing of the demo is left"));
            Ok(())
        }
        Ok(Err(err)) => {
            if let Some(ctx) = &made.ctx {
                teardown::show_logs(ctx);
            }
            progress.heading("failed: taking everything down");
            if let Err(also) = teardown(&mut made, &progress, &mut interrupts).await {
                return Err(err.context(format!("and the teardown failed: {also:#}")));
            }
            Err(err)
        }
        Err(signal) => {
            progress.heading(format!("{signal}: taking everything down"));
            teardown(&mut made, &progress, &mut interrupts).await?;
            Err(anyhow::anyhow!("interrupted by {signal}; everything the demo made was removed"))
        }
    }
}

/// The teardown, which a second signal stops where it is.
async fn teardown(
    made: &mut Made,
    progress: &Progress,
    interrupts: &mut Interrupts,
) -> anyhow::Result<()> {
    let dir = made.dir.display().to_string();
    tokio::select! {
        result = teardown::teardown(made, progress) => result,
        signal = interrupts.recv() => anyhow::bail!(
            "{signal} during the teardown: stopped there; `archipel lab --dir {dir} down` and \
             `rm -r {dir}/nfvo` remove what is left"
        ),
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        demo: DemoArgs,
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_and_flags() {
        let cli = Cli::parse_from(["demo"]);
        assert_eq!(cli.demo.dir, PathBuf::from("/run/archipel/demo"));
        assert_eq!((cli.demo.keep, cli.demo.calls, cli.demo.runtime), (false, 10, Runtime::Native));
        assert_eq!(cli.demo.underlay.to_string(), DEFAULT_UNDERLAY);
        let cli = Cli::parse_from([
            "demo",
            "--keep",
            "--runtime",
            "docker",
            "-o",
            "json",
            "--calls",
            "3",
        ]);
        assert_eq!((cli.demo.keep, cli.demo.calls, cli.demo.runtime), (true, 3, Runtime::Docker));
        assert_eq!(cli.demo.output, Format::Json);
        assert!(Cli::try_parse_from(["demo", "--calls", "0"]).is_err());
        assert!(Cli::try_parse_from(["demo", "--runtime", "swarm"]).is_err());
    }
}
