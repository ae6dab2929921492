//! Starting a workload's process tree inside its network namespace.
//!
//! The workload runs under a small `/bin/sh` supervisor that leads a process group of its own
//! (so Stop signals the whole tree, and a terminal's Ctrl-C to popd does not reach it) and
//! outlives popd. `unshare` gives it mount, UTS, IPC and PID namespaces of its own: it is PID 1
//! of its container, whose processes are all that its `/proc` shows (and which all die with
//! it); its host name is the Pop container's. It first moves itself into the workload's cgroups
//! (when its flavour has limits, see `cgroup`), so every process of the workload is counted.
//!
//! - An image with a root filesystem gets a root of its own: an overlay of the image (shared,
//!   never written) and the workload's `upper` directory (its writes; owned and permitted as
//!   the image's root, which the overlay's root takes from it), with `/proc`, a minimal
//!   `/dev` (null, zero, full, random, urandom, tty, shm: Docker's) and its hosts file over
//!   `/etc/hosts`; `archipel container-init` then pivots into it, keeps Docker's capabilities,
//!   takes the image's user and execs the command (see `isolate`).
//! - A directory image's command runs in the host's files (the images the thesis's tests
//!   made), with a `/proc` of its own and its hosts file over `/etc/hosts`.
//!
//! When the workload ends, the supervisor writes its exit code to the `exit` file, which is how
//! a restarted popd learns the code of a workload that ended while it was down (under its own
//! root, through a descriptor opened before the pivot; it waits in the new root, so that its
//! working directory, like its root, is the container's once the pivot is done). The supervisor traps SIGTERM (a trap,
//! unlike an ignored signal, is reset for the workload; as PID 1 it gets no signal it has no
//! handler for) so that it survives a Stop long enough to write the code; SIGKILL leaves no
//! code, which is read as 137. It unsets the `PWD` its shell exports unless the metadata sets
//! one, so that the workload's environment is exactly the image's defaults overlaid with the
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
for p in $8; do echo 0 >"$p" || fail=1; done
[ "$2" = keep-pwd ] || unset PWD
echo "$7" >/proc/sys/kernel/hostname || fail=1
if [ -n "$r" ]; then
  exec 9>>"$f"
  m=$9/root
  { mkdir -p "$m" "$9/upper" "$9/overlay-work" && chown --reference="$r" "$9/upper" && chmod --reference="$r" "$9/upper" && "$3" -t overlay -o "lowerdir=$r,upperdir=$9/upper,workdir=$9/overlay-work" overlay "$m"; } || fail=1
  if [ -z "$fail" ] && [ ! -L "$m/proc" ]; then { mkdir -p "$m/proc" && "$3" -t proc -o nosuid,nodev,noexec proc "$m/proc"; } || fail=1; fi
  if [ -z "$fail" ] && [ ! -L "$m/dev" ]; then
    { mkdir -p "$m/dev" && "$3" -t tmpfs -o nosuid,noexec,mode=755,size=64k dev "$m/dev"; } || fail=1
    for d in null zero full random urandom tty; do
      [ -n "$fail" ] || { : >"$m/dev/$d" && "$3" --bind "/dev/$d" "$m/dev/$d"; } || fail=1
    done
    [ -n "$fail" ] || { mkdir "$m/dev/shm" && "$3" -t tmpfs -o nosuid,nodev,mode=1777 shm "$m/dev/shm"; } || fail=1
  fi
  if [ -z "$fail" ] && [ -n "$5" ] && [ -d "$m/etc" ] && [ ! -L "$m/etc" ] && [ ! -L "$m$5" ]; then
    { [ -e "$m$5" ] || : >"$m$5"; } && "$3" --bind "$4" "$m$5" || fail=1
  fi
else
  "$3" -t proc -o nosuid,nodev,noexec proc /proc || fail=1
  if [ -n "$5" ] && ! "$3" --bind "$4" "$5"; then fail=1; fi
fi
if [ -n "$fail" ]; then echo 125 >"$f"; exit 125; fi
if [ -n "$r" ]; then cd "$m" || { echo 125 >"$f"; exit 125; }; fi
shift 9
"$@"
c=$?
if [ -n "$r" ]; then echo "$c" >&9; else echo "$c" >"$f"; fi
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
    /// The command; with a root filesystem, `archipel container-init … -- COMMAND`.
    pub(super) argv: Vec<String>,
    pub(super) env: BTreeMap<String, String>,
    /// Where the workload sees its hosts file (inside its root, with a root filesystem); None:
    /// nowhere (its image has no `/etc`).
    pub(super) hosts_target: Option<PathBuf>,
    /// The image's root filesystem: the lower layer of the workload's root.
    pub(super) rootfs: Option<PathBuf>,
    /// The workload's host name: the Pop container's name, cut to the kernel's 64 bytes.
    pub(super) hostname: String,
    /// The `cgroup.procs` files of its cgroups; empty: it has none.
    pub(super) cgroup_procs: Vec<PathBuf>,
}

impl Launch {
    /// The image's command and environment defaults, overlaid with the metadata. `helper` is
    /// the program run as `container-init` for an image with a root filesystem.
    pub(super) fn new(
        image: &Image,
        name: &str,
        metadata: &BTreeMap<String, String>,
        helper: Option<&Path>,
        dir: &WorkloadDir,
    ) -> Result<Self, NativeError> {
        let mut env = image.manifest.env.clone();
        env.extend(metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
        let rootfs = image.manifest.rootfs.clone();
        let (mut argv, hosts_target) = match &rootfs {
            Some(_) => {
                let helper = helper.ok_or(NativeError::NoHelper)?;
                let mut argv = vec![helper.display().to_string(), "container-init".to_owned()];
                argv.extend(["--root".to_owned(), dir.root().display().to_string()]);
                argv.extend(isolated(image));
                let target = super::hosts::target(image)?.map(|_| PathBuf::from("/etc/hosts"));
                (argv, target)
            }
            None => (Vec::new(), super::hosts::target(image)?),
        };
        argv.extend(image.command());
        let mut hostname = name.to_owned();
        while hostname.len() > 64 {
            hostname.pop();
        }
        Ok(Self { argv, env, hosts_target, rootfs, hostname, cgroup_procs: Vec::new() })
    }
}

/// The working directory and user options of `container-init` and `container-enter`, up to
/// the `--` before the command.
fn isolated(image: &Image) -> Vec<String> {
    let mut argv = vec!["--workdir".to_owned(), image.manifest.workdir.display().to_string()];
    if let Some((uid, gid)) = image.manifest.user {
        argv.extend(["--user".to_owned(), format!("{uid}:{gid}")]);
    }
    argv.push("--".to_owned());
    argv
}

/// A command run inside a workload whose supervisor is `pid`: with a root filesystem, through
/// `archipel container-enter` (its cgroups, namespaces, capabilities and user, at the image's
/// working directory); else in its mount, UTS, IPC and PID namespaces in `work`, equal to
/// `nsenter --mount=/proc/PID/ns/mnt --uts=… --ipc=… --pid=/proc/PID/ns/pid_for_children
/// --wd=WORK -- ARGV`.
pub(super) fn exec_argv(
    image: &Image,
    pid: u32,
    work: &Path,
    argv: &[String],
    helper: Option<&Path>,
    cgroup_procs: &[PathBuf],
) -> Result<Vec<String>, NativeError> {
    let mut full = Vec::with_capacity(argv.len() + 12);
    if image.manifest.rootfs.is_some() {
        let helper = helper.ok_or(NativeError::NoHelper)?;
        full.extend([helper.display().to_string(), "container-enter".to_owned()]);
        full.extend(["--pid".to_owned(), pid.to_string()]);
        for procs in cgroup_procs {
            full.extend(["--cgroup-procs".to_owned(), procs.display().to_string()]);
        }
        full.extend(isolated(image));
    } else {
        full.push(program("nsenter", &NSENTER)?.to_owned());
        for ns in ["mnt", "uts", "ipc"] {
            full.push(format!("--{}=/proc/{pid}/ns/{ns}", if ns == "mnt" { "mount" } else { ns }));
        }
        full.push(format!("--pid=/proc/{pid}/ns/pid_for_children"));
        full.push(format!("--wd={}", work.display()));
        full.push("--".to_owned());
    }
    full.extend(argv.iter().cloned());
    Ok(full)
}

/// Spawns the supervisor in `netns`, in `dir`'s working directory, with its output appended to
/// `dir`'s log, `hosts` mounted over its `/etc/hosts`; returns its pid. Equals `cd WORK; env -i
/// ENV… ip netns exec NETNS unshare --mount --uts --ipc --pid --fork --propagation private sh
/// -c SUPERVISOR archipel-supervisor EXIT_FILE - MOUNT HOSTS TARGET ROOTFS HOSTNAME CGROUPS DIR
/// ARGV… >>output.log 2>&1 </dev/null` in a new process group.
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
    let mut command = supervisor(dir, hosts, &launch).map_err(failed)?;
    command.stdin(Stdio::null()).stdout(log).stderr(log_err);
    host.spawn(netns, command).await
}

fn supervisor(dir: &WorkloadDir, hosts: &Path, launch: &Launch) -> Result<Command, NativeError> {
    let keep_pwd = if launch.env.contains_key("PWD") { "keep-pwd" } else { "-" };
    let target = launch.hosts_target.as_deref().map(Path::as_os_str).unwrap_or_default();
    let cgroups: Vec<String> =
        launch.cgroup_procs.iter().map(|p| p.display().to_string()).collect();
    let mut command = Command::new(program("unshare", &UNSHARE)?);
    command
        .args(["--mount", "--uts", "--ipc", "--pid", "--fork", "--propagation", "private"])
        .args(["/bin/sh", "-c", SUPERVISOR, "archipel-supervisor"])
        .arg(dir.exit())
        .arg(keep_pwd)
        .arg(program("mount", &MOUNT)?)
        .arg(hosts)
        .arg(target)
        .arg(launch.rootfs.as_deref().map(Path::as_os_str).unwrap_or_default())
        .arg(&launch.hostname)
        .arg(cgroups.join(" "))
        .arg(dir.path())
        .args(&launch.argv)
        .env_clear()
        .envs(&launch.env)
        .current_dir(dir.work())
        .process_group(0);
    Ok(command)
}
