//! Starting a workload's process tree inside its network namespace.
//!
//! The workload runs under a small `/bin/sh` supervisor that leads a process group of its own
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
[ "$2" = keep-pwd ] || unset PWD
shift 2
"$@"
c=$?
echo "$c" >"$f"
"#;

/// Where `chroot` may be; the first that exists is used.
const CHROOT: [&str; 4] = ["/usr/sbin/chroot", "/usr/bin/chroot", "/sbin/chroot", "/bin/chroot"];

/// What to run.
#[derive(Debug)]
pub(super) struct Launch {
    pub(super) argv: Vec<String>,
    pub(super) env: BTreeMap<String, String>,
}

impl Launch {
    /// The image's command and environment defaults, overlaid with the metadata.
    pub(super) fn new(
        image: &Image,
        metadata: &BTreeMap<String, String>,
    ) -> Result<Self, NativeError> {
        let mut env = image.manifest.env.clone();
        env.extend(metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut argv = image.command();
        if let Some(rootfs) = &image.manifest.rootfs {
            let chroot =
                CHROOT.iter().find(|path| Path::new(path).exists()).ok_or(NativeError::NoChroot)?;
            let mut prefixed = vec![(*chroot).to_owned(), rootfs.to_string_lossy().into_owned()];
            prefixed.append(&mut argv);
            argv = prefixed;
        }
        Ok(Self { argv, env })
    }
}

/// A command run inside a workload: under the image's root filesystem (chroot) when it has
/// one, with `env` as its whole environment.
pub(super) fn exec_argv(image: &Image, argv: &[String]) -> Result<Vec<String>, NativeError> {
    let mut full = Vec::with_capacity(argv.len() + 2);
    if let Some(rootfs) = &image.manifest.rootfs {
        let chroot =
            CHROOT.iter().find(|path| Path::new(path).exists()).ok_or(NativeError::NoChroot)?;
        full.push((*chroot).to_owned());
        full.push(rootfs.to_string_lossy().into_owned());
    }
    full.extend(argv.iter().cloned());
    Ok(full)
}

/// Spawns the supervisor in `netns`, in `dir`'s working directory, with its output appended to
/// `dir`'s log; returns its pid. Equals `cd WORK; env -i ENV… ip netns exec NETNS sh -c SUPERVISOR
/// archipel-supervisor EXIT_FILE - ARGV… >>output.log 2>&1 </dev/null` in a new process group.
pub(super) async fn spawn(
    host: &dyn Host,
    netns: &str,
    dir: &WorkloadDir,
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
    let mut command = supervisor(&exit, &work, &launch);
    command.stdin(Stdio::null()).stdout(log).stderr(log_err);
    host.spawn(netns, command).await
}

fn supervisor(exit: &PathBuf, work: &PathBuf, launch: &Launch) -> Command {
    let keep_pwd = if launch.env.contains_key("PWD") { "keep-pwd" } else { "-" };
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(SUPERVISOR)
        .arg("archipel-supervisor")
        .arg(exit)
        .arg(keep_pwd)
        .args(&launch.argv)
        .env_clear()
        .envs(&launch.env)
        .current_dir(work)
        .process_group(0);
    command
}
