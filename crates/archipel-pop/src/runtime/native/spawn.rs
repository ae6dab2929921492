//! Starting a workload's process tree inside its network namespace.
//!
//! The workload runs under a small `/bin/sh` supervisor that leads a process group of its own,
//! a UTS namespace of its own (its host name is the Pop container's), an IPC namespace of its
//! own, and a mount namespace of its own (`unshare --mount`), where its hosts file is mounted over
//! `/etc/hosts` (see `hosts`), and an image's root filesystem gets `/proc` and a minimal `/dev`
//! (null, zero, full, random, urandom, tty, shm: Docker's),
//! (so Stop signals the whole tree, and a terminal's Ctrl-C to popd does not reach it) and
//! outlives popd. When the workload ends, the supervisor writes its exit code to the `exit`
//! file, which is how a restarted popd learns the code of a workload that ended while it was
//! down. The supervisor traps SIGTERM (a trap, unlike an ignored signal, is reset for the
//! workload) so that it survives a Stop long enough to write the code; SIGKILL leaves no code,
//! which is read as 137. It unsets the `PWD` its shell exports unless the metadata sets one,
//! so that the workload's environment is exactly the image's defaults overlaid with the
//! metadata.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::NativeError;
use super::host::Host;
use super::image::Image;
use super::record::WorkloadDir;
use crate::runtime::RuntimeError;

const SUPERVISOR: &str = r#"trap : TERM
f=$1
r=$6
fail=
[ "$2" = keep-pwd ] || unset PWD
echo "$7" >/proc/sys/kernel/hostname || fail=1
if [ -n "$5" ] && ! "$3" --bind "$4" "$5"; then fail=1; fi
if [ -n "$r" ] && [ -d "$r/proc" ] && [ ! -L "$r/proc" ]; then "$3" -t proc -o nosuid,nodev,noexec proc "$r/proc" || fail=1; fi
if [ -n "$r" ] && [ -d "$r/dev" ] && [ ! -L "$r/dev" ]; then
  "$3" -t tmpfs -o nosuid,noexec,mode=755,size=64k dev "$r/dev" || fail=1
  for d in null zero full random urandom tty; do
    [ -n "$fail" ] || { : >"$r/dev/$d" && "$3" --bind "/dev/$d" "$r/dev/$d"; } || fail=1
  done
  [ -n "$fail" ] || { mkdir "$r/dev/shm" && "$3" -t tmpfs -o nosuid,nodev,mode=1777 shm "$r/dev/shm"; } || fail=1
fi
if [ -n "$fail" ]; then echo 125 >"$f"; exit 125; fi
shift 7
"$@"
c=$?
echo "$c" >"$f"
"#;

/// Where util-linux's `unshare`, `nsenter` and `mount` may be.
const UNSHARE: [&str; 2] = ["/usr/bin/unshare", "/bin/unshare"];
const NSENTER: [&str; 2] = ["/usr/bin/nsenter", "/bin/nsenter"];
const MOUNT: [&str; 2] = ["/usr/bin/mount", "/bin/mount"];

/// The first of `paths` that exists.
fn program(name: &'static str, paths: &[&'static str]) -> Result<&'static str, NativeError> {
    paths.iter().copied().find(|path| Path::new(path).exists()).ok_or(NativeError::NoProgram(name))
}

/// What to run.
#[derive(Debug)]
pub(super) struct Launch {
    pub(super) argv: Vec<String>,
    pub(super) env: BTreeMap<String, String>,
    /// Where the workload sees its hosts file; None: nowhere (its image has no `/etc`).
    pub(super) hosts_target: Option<PathBuf>,
    /// The image's root filesystem, which gets its own `/proc` and a minimal `/dev`.
    pub(super) rootfs: Option<PathBuf>,
    /// The workload's host name (its own UTS namespace): the Pop container's name, cut to the
    /// kernel's 64 bytes.
    pub(super) hostname: String,
}

impl Launch {
    /// The image's command and environment defaults, overlaid with the metadata.
    pub(super) fn new(
        image: &Image,
        name: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<Self, NativeError> {
        let mut env = image.manifest.env.clone();
        env.extend(metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut argv = rooted(image)?;
        argv.extend(image.command());
        let hosts_target = super::hosts::target(image)?;
        let rootfs = image.manifest.rootfs.clone();
        let mut hostname = name.to_owned();
        while hostname.len() > 64 {
            hostname.pop();
        }
        Ok(Self { argv, env, hosts_target, rootfs, hostname })
    }
}

/// What runs a command in the image's root filesystem, at its working directory, as its user:
/// `nsenter --root=ROOTFS --wd=ROOTFS/WORKDIR [-S UID -G GID] --`; nothing for an image
/// without one.
fn rooted(image: &Image) -> Result<Vec<String>, NativeError> {
    let Some(rootfs) = &image.manifest.rootfs else { return Ok(Vec::new()) };
    let workdir = &image.manifest.workdir;
    let wd = rootfs.join(workdir.strip_prefix("/").unwrap_or(workdir));
    let mut argv = vec![
        program("nsenter", &NSENTER)?.to_owned(),
        format!("--root={}", rootfs.display()),
        format!("--wd={}", wd.display()),
    ];
    if let Some((uid, gid)) = image.manifest.user {
        argv.extend(["-S".to_owned(), uid.to_string(), "-G".to_owned(), gid.to_string()]);
    }
    argv.push("--".to_owned());
    Ok(argv)
}

/// A command run inside a workload: in the mount namespace of its supervisor `pid` (where its
/// hosts file is), in `work`, or in the image's root filesystem when it has one (at its working
/// directory, as its user).
pub(super) fn exec_argv(
    image: &Image,
    pid: u32,
    work: &Path,
    argv: &[String],
) -> Result<Vec<String>, NativeError> {
    let mut full = Vec::with_capacity(argv.len() + 6);
    full.push(program("nsenter", &NSENTER)?.to_owned());
    full.push(format!("--mount=/proc/{pid}/ns/mnt"));
    full.push(format!("--uts=/proc/{pid}/ns/uts"));
    full.push(format!("--ipc=/proc/{pid}/ns/ipc"));
    full.push(format!("--wd={}", work.display()));
    full.push("--".to_owned());
    full.extend(rooted(image)?);
    full.extend(argv.iter().cloned());
    Ok(full)
}

/// Spawns the supervisor in `netns`, in `dir`'s working directory, with its output appended to
/// `dir`'s log, `hosts` mounted over its `/etc/hosts`; returns its pid. Equals `cd WORK; env -i
/// ENV… ip netns exec NETNS unshare --mount --uts --ipc --propagation private sh -c SUPERVISOR
/// archipel-supervisor EXIT_FILE - MOUNT HOSTS TARGET ROOTFS HOSTNAME ARGV… >>output.log 2>&1
/// </dev/null` in a new process group.
pub(super) async fn spawn(
    host: &dyn Host,
    netns: &str,
    dir: &WorkloadDir,
    hosts: &Path,
    launch: Launch,
) -> Result<u32, RuntimeError> {
    let failed =
        |e: NativeError| RuntimeError::Failed { op: "start workload", source: Box::new(e) };
    let work = dir.work();
    fs::create_dir_all(&work).map_err(|e| failed(NativeError::io("create", &work)(e)))?;
    let exit = dir.exit();
    match fs::remove_file(&exit) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(failed(NativeError::io("remove", &exit)(e)));
        }
        _ => {}
    }
    let log_path = dir.log();
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| failed(NativeError::io("open", &log_path)(e)))?;
    let log_err = log.try_clone().map_err(|e| failed(NativeError::io("open", &log_path)(e)))?;
    let mut command = supervisor(&exit, &work, hosts, &launch).map_err(failed)?;
    command.stdin(Stdio::null()).stdout(log).stderr(log_err);
    host.spawn(netns, command).await
}

fn supervisor(
    exit: &Path,
    work: &Path,
    hosts: &Path,
    launch: &Launch,
) -> Result<Command, NativeError> {
    let keep_pwd = if launch.env.contains_key("PWD") { "keep-pwd" } else { "-" };
    let target = launch.hosts_target.as_deref().map(Path::as_os_str).unwrap_or_default();
    let mut command = Command::new(program("unshare", &UNSHARE)?);
    command
        .args(["--mount", "--uts", "--ipc", "--propagation", "private", "/bin/sh", "-c"])
        .arg(SUPERVISOR)
        .arg("archipel-supervisor")
        .arg(exit)
        .arg(keep_pwd)
        .arg(program("mount", &MOUNT)?)
        .arg(hosts)
        .arg(target)
        .arg(launch.rootfs.as_deref().map(Path::as_os_str).unwrap_or_default())
        .arg(&launch.hostname)
        .args(&launch.argv)
        .env_clear()
        .envs(&launch.env)
        .current_dir(work)
        .process_group(0);
    Ok(command)
}
