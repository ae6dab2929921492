//! The lab's daemons: real `archipel popd` and `archipel agent` processes, detached in their
//! own process groups, their output in a log file per daemon.

use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::context::{LabContext, SiteContext};
use crate::error::LabError;
use crate::pki;

/// How long a daemon has to print `listening on ADDR`.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long daemons have to exit after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// Starts the site's popd (native runtime, managing the site's namespace; or Docker) in the
/// host, listening on the host's underlay address and `port` (0: any), with the site's agent as
/// its pool provider (asked only when a network runs out, so that the agent may start later);
/// returns its URL and pid.
pub(crate) fn start_popd(
    ctx: &LabContext,
    site: &SiteContext,
    port: u16,
) -> Result<(String, u32), LabError> {
    let mut cmd = Command::new(archipel()?);
    cmd.arg("popd");
    match site.docker_subnet {
        Some(subnet) => cmd
            .args(["--runtime", "docker", "--default-subnet", &subnet.to_string()])
            .args(["--default-network", &format!("{}-{}-private", ctx.name, site.name)]),
        None if site.on_swarm() => {
            cmd.args(["--runtime", "swarm", "--netns", &site.netns]);
            for node in &site.swarm_nodes {
                cmd.arg("--swarm-node").arg(node.popd_arg());
            }
            &mut cmd
        }
        None => cmd
            .args(["--runtime", "native", "--netns", &site.netns])
            .arg("--images-dir")
            .arg(&ctx.images_dir),
    };
    cmd.args(["--listen", &format!("{}:{port}", ctx.host_ip)])
        .arg("--data-dir")
        .arg(site.popd_data())
        .args(["--name", &format!("{}-{}", ctx.name, site.name)])
        .args(["--pool-provider", &site.agent_url])
        .env("POPD_AUTH", &site.popd_auth)
        .env("POPD_POOL_PROVIDER_TOKEN", &site.agent_token);
    tls_args(&mut cmd, ctx, &pki::popd_cert(&site.name));
    let what = format!("the popd of site {}", site.name);
    let (addr, pid) = spawn_listening(cmd, &what, &site.popd_log())?;
    let scheme = if ctx.ca.is_some() { "https" } else { "http" };
    Ok((format!("{scheme}://{addr}"), pid))
}

/// Starts the site's agent inside the site's namespace (in the host for the site on Docker, where
/// Docker's bridges are), listening on its underlay address, its peers every other site's
/// agent; returns its pid.
pub(crate) fn start_agent(ctx: &LabContext, site: &SiteContext) -> Result<u32, LabError> {
    let mut cmd = if site.on_docker() {
        Command::new(archipel()?)
    } else {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &site.netns]).arg(archipel()?);
        cmd
    };
    cmd.args(["agent", "--site", &site.name, "--listen"])
        .arg(format!("{}:{}", site.underlay_ip, crate::plan::AGENT_PORT))
        .arg("--data-dir")
        .arg(site.agent_data())
        .args(["--pop", &site.popd_url, "--underlay-ip", &site.underlay_ip.to_string()]);
    if !site.on_docker() {
        cmd.args(["--netns", &site.netns]);
    }
    if ctx.plain_vxlan {
        cmd.args(["--encryption", "none"]);
    }
    let mut keys = Vec::new();
    for peer in ctx.sites.iter().filter(|p| p.name != site.name) {
        cmd.arg("--peer").arg(format!("{}={}", peer.name, peer.agent_url));
        let key = ctx.pair_key(&site.name, &peer.name).unwrap_or_default();
        keys.push(format!("{}={key}", peer.name));
    }
    tls_args(&mut cmd, ctx, &pki::agent_cert(&site.name));
    // Secrets through the environment: the command line is visible to every user. Over TLS
    // the agents know each other by their certificates.
    if ctx.ca.is_none() {
        cmd.env("ARCHIPEL_AGENT_KEYS", keys.join(","));
    }
    cmd.env("POP_AUTH", &site.popd_auth).env("ARCHIPEL_AGENT_TOKEN", &site.agent_token);
    let what = format!("the agent of site {}", site.name);
    Ok(spawn_listening(cmd, &what, &site.agent_log())?.1)
}

/// Starts the agent of `site` again on its data directory (after a crash, say), stopping the
/// one recorded if it still runs, and records the new pid in the context at `path`.
pub fn restart_agent(path: &Path, site: &str) -> Result<LabContext, LabError> {
    let mut ctx = LabContext::load(path)?;
    let index = ctx.site_index(site)?;
    stop(&[ctx.sites[index].agent_data()]);
    ctx.sites[index].agent_pid = None;
    ctx.save()?;
    let pid = start_agent(&ctx, &ctx.sites[index])?;
    ctx.sites[index].agent_pid = Some(pid);
    ctx.save()?;
    Ok(ctx)
}

/// Starts the popd of `site` again on its data directory and its port, so that its agent and an
/// NFVO keep its URL (after a crash, say), stopping the one recorded if it still runs; records
/// the new pid in the context at `path`.
pub fn restart_popd(path: &Path, site: &str) -> Result<LabContext, LabError> {
    let mut ctx = LabContext::load(path)?;
    let index = ctx.site_index(site)?;
    stop(&[ctx.sites[index].popd_data()]);
    ctx.sites[index].popd_pid = None;
    ctx.save()?;
    let url = &ctx.sites[index].popd_url;
    let port = url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let (url, pid) = start_popd(&ctx, &ctx.sites[index], port)?;
    ctx.sites[index].popd_url = url;
    ctx.sites[index].popd_pid = Some(pid);
    ctx.save()?;
    Ok(ctx)
}

/// The daemon's certificate and the lab's CA, or plain text: the daemons listen on underlay
/// addresses, not loopback.
fn tls_args(cmd: &mut Command, ctx: &LabContext, cert: &str) {
    match (ctx.cert_files(cert), &ctx.ca) {
        (Some(files), Some(ca)) => {
            cmd.arg("--tls-cert").arg(files.cert).arg("--tls-key").arg(files.key);
            cmd.arg("--ca").arg(ca);
        }
        _ => {
            cmd.args(["--insecure", "--insecure-non-loopback"]);
        }
    }
}

fn archipel() -> Result<PathBuf, LabError> {
    std::env::current_exe().map_err(|source| LabError::Spawn { what: "archipel".into(), source })
}

/// The log filter of the daemons the lab starts, when set; else theirs is `RUST_LOG`, or
/// `info`.
const DAEMON_LOG: &str = "ARCHIPEL_LAB_LOG";

/// Spawns `cmd` detached, its output appended to `log`, and waits for `listening on ADDR`.
fn spawn_listening(mut cmd: Command, what: &str, log: &Path) -> Result<(String, u32), LabError> {
    let out =
        File::options().create(true).append(true).open(log).map_err(LabError::io("open", log))?;
    let err = out.try_clone().map_err(LabError::io("open", log))?;
    let start = std::fs::metadata(log).map_err(LabError::io("read", log))?.len();
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    // The daemons' own level, apart from the lab command's: tests keep the command quiet and
    // the daemons telling.
    match std::env::var_os(DAEMON_LOG) {
        Some(level) => {
            cmd.env("RUST_LOG", level);
        }
        None if std::env::var_os("RUST_LOG").is_none() => {
            cmd.env("RUST_LOG", "info");
        }
        None => {}
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|source| LabError::Spawn { what: what.to_owned(), source })?;
    let addr = wait_listening(&mut child, what, log, start)?;
    Ok((addr, child.id()))
}

fn wait_listening(
    child: &mut Child,
    what: &str,
    log: &Path,
    start: usize,
) -> Result<String, LabError> {
    let deadline = Instant::now() + LISTEN_TIMEOUT;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let new = text.get(start..).unwrap_or_default();
        if let Some(addr) = archipel_daemon::ready::find(new) {
            return Ok(addr.to_owned());
        }
        if let Ok(Some(_)) = child.try_wait() {
            return Err(LabError::Exited { what: what.into(), log: log.into(), tail: tail(new) });
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let secs = LISTEN_TIMEOUT.as_secs();
            let (what, log, tail) = (what.into(), log.into(), tail(new));
            return Err(LabError::NotListening { what, secs, log, tail });
        }
        std::thread::sleep(POLL);
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Whether the site's popd and agent run.
pub fn site_daemons_running(site: &SiteContext) -> (bool, bool) {
    (!daemons(&[site.popd_data()]).is_empty(), !daemons(&[site.agent_data()]).is_empty())
}

/// The processes started with `--data-dir D` for one of `data_dirs`: the lab's daemons, found
/// by what they run on rather than by recorded pids, so that a recycled pid is never taken for
/// one of them and a daemon whose pid was never recorded (a crash midway) is found all the same.
pub(crate) fn daemons(data_dirs: &[PathBuf]) -> Vec<u32> {
    processes(b"--data-dir", data_dirs)
}

/// The processes started with `FLAG D` for one of `dirs`.
fn processes(flag: &[u8], dirs: &[PathBuf]) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let wanted: Vec<&[u8]> = dirs.iter().map(|d| d.as_os_str().as_encoded_bytes()).collect();
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return false };
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            args.windows(2).any(|w| w[0] == flag && wanted.contains(&w[1]))
        })
        .collect()
}

/// SIGTERM to the daemons running on `data_dirs`, then SIGKILL to those left after a while.
pub(crate) fn stop(data_dirs: &[PathBuf]) {
    stop_found(&|| daemons(data_dirs));
}

/// As [`stop`] for the WireGuard devices the agents on `data_dirs` started (`--state-dir D`):
/// they outlive their agent on purpose, and SIGTERM has them remove their sockets.
pub(crate) fn stop_wireguard(data_dirs: &[PathBuf]) {
    stop_found(&|| processes(b"--state-dir", data_dirs));
}

fn stop_found(found: &dyn Fn() -> Vec<u32>) {
    signal(&found(), Signal::SIGTERM);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while !found().is_empty() && Instant::now() < deadline {
        std::thread::sleep(POLL);
    }
    signal(&found(), Signal::SIGKILL);
}

/// SIGKILL to every process in the network namespace `ns` (`ip netns pids NS`).
pub(crate) fn kill_netns_processes(ns: &str) {
    let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() else { return };
    let pids: Vec<u32> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    signal(&pids, Signal::SIGKILL);
}

fn signal(pids: &[u32], sig: Signal) {
    for &pid in pids {
        if let Ok(pid) = i32::try_from(pid) {
            // Already gone is fine: that is what is wanted.
            let _ = kill(Pid::from_raw(pid), sig);
        }
    }
}
