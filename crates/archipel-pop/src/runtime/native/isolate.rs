//! The last steps into a native container with a root filesystem, run as `archipel
//! container-init` (the workload) and `archipel container-enter` (a command run inside). They
//! are separate programs, not code in popd, because they change the calling process for good
//! (root, capabilities, user) and must be single-threaded to enter a mount namespace.
//!
//! - `container-init` runs under the supervisor, in the workload's mount, PID, UTS and IPC
//!   namespaces, with the root filesystem mounted (its `/proc`, `/dev` and hosts file too). It
//!   makes that root the namespace's root with `pivot_root` (as runc does: no way back to the
//!   host's files, unlike a `chroot`, which a process with CAP_SYS_CHROOT leaves), keeps only
//!   Docker's default capabilities, becomes the image's user and execs the workload.
//! - `container-enter` joins the workload's cgroups and namespaces (the mount namespace last:
//!   its root is the container's), keeps the same capabilities and user, and runs the command
//!   as its child, which is the first process it makes in the workload's PID namespace.

use std::ffi::CString;
use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, CloneFlags};
use nix::unistd::{chdir, execvp, fchdir, pivot_root, setgid, setgroups, setuid, Gid, Uid};

/// Docker's default capabilities (moby's `oci/caps/defaults.go`) less CAP_MKNOD: Docker lets
/// a container make device nodes only of the devices its device cgroup allows, and a native
/// container has no device cgroup, so a node of the host's disk would be a way out.
const KEPT_CAPS: [u32; 13] = [
    0,  // CAP_CHOWN
    1,  // CAP_DAC_OVERRIDE
    3,  // CAP_FOWNER
    4,  // CAP_FSETID
    5,  // CAP_KILL
    6,  // CAP_SETGID
    7,  // CAP_SETUID
    8,  // CAP_SETPCAP
    10, // CAP_NET_BIND_SERVICE
    13, // CAP_NET_RAW
    18, // CAP_SYS_CHROOT
    29, // CAP_AUDIT_WRITE
    31, // CAP_SETFCAP
];
/// Higher than any capability a kernel has (40 in 6.x).
const CAP_BOUND: u32 = 64;
/// The codes a shell gives a command it cannot run (not executable, not found), which Docker
/// gives too; 125 when the container itself could not be set up.
pub const CANNOT_RUN: i32 = 126;
pub const NOT_FOUND: i32 = 127;
pub const SETUP_FAILED: i32 = 125;

/// What `container-init` is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitArgs {
    /// The container's root, already mounted: it becomes `/`.
    pub root: PathBuf,
    /// The working directory, inside the root.
    pub workdir: PathBuf,
    /// The image's user and group; None: root.
    pub user: Option<(u32, u32)>,
    pub argv: Vec<String>,
}

/// What `container-enter` is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterArgs {
    /// The process whose namespaces the command joins: the workload's outermost one.
    pub pid: u32,
    /// The `cgroup.procs` files of the workload's cgroups.
    pub cgroup_procs: Vec<PathBuf>,
    pub workdir: PathBuf,
    pub user: Option<(u32, u32)>,
    pub argv: Vec<String>,
}

/// A step into the container that failed.
#[derive(Debug, thiserror::Error)]
pub enum IsolateError {
    #[error("cannot {step}")]
    Step {
        step: String,
        #[source]
        source: nix::Error,
    },
    #[error("cannot join the cgroup {path}")]
    Cgroup {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no command to run")]
    NoCommand,
    #[error("an argument holds a NUL byte")]
    Nul(#[source] std::ffi::NulError),
    #[error("cannot run {program}")]
    Exec {
        program: String,
        #[source]
        source: std::io::Error,
    },
}

impl IsolateError {
    /// The exit code a shell would give: 127 not found, 126 not executable, else 125.
    pub fn code(&self) -> i32 {
        let kind = match self {
            Self::Exec { source, .. } => source.kind(),
            Self::Step { step, source } if step.starts_with("run ") => {
                std::io::Error::from(*source).kind()
            }
            _ => return SETUP_FAILED,
        };
        match kind {
            std::io::ErrorKind::NotFound => NOT_FOUND,
            std::io::ErrorKind::PermissionDenied => CANNOT_RUN,
            _ => SETUP_FAILED,
        }
    }
}

fn step(step: impl Into<String>) -> impl FnOnce(nix::Error) -> IsolateError {
    let step = step.into();
    move |source| IsolateError::Step { step, source }
}

/// Makes `args.root` the root and execs the workload; returns only on failure.
pub fn container_init(args: &InitArgs) -> IsolateError {
    match try_init(args) {
        Ok(never) => match never {},
        Err(e) => e,
    }
}

fn try_init(args: &InitArgs) -> Result<std::convert::Infallible, IsolateError> {
    let argv = cstrings(&args.argv)?;
    let program = argv.first().ok_or(IsolateError::NoCommand)?.clone();
    docker_umask();
    close_on_exec();
    pivot(&args.root)?;
    drop_capabilities()?;
    become_user(args.user)?;
    chdir(&args.workdir)
        .map_err(step(format!("enter the working directory {}", args.workdir.display())))?;
    execvp(&program, &argv).map_err(step(format!("run {}", args.argv[0])))
}

/// Equals `mount --rbind ROOT ROOT; cd ROOT; pivot_root . .; umount -l .; cd /`: the old root
/// is stacked on the new one, then detached (runc's `pivotRoot`).
fn pivot(root: &Path) -> Result<(), IsolateError> {
    let bind = MsFlags::MS_BIND | MsFlags::MS_REC;
    mount(Some(root), root, None::<&str>, bind, None::<&str>)
        .map_err(step(format!("bind {} on itself", root.display())))?;
    let old = File::open("/").map_err(|e| step("open /")(errno(&e)))?;
    let new = File::open(root).map_err(|e| step(format!("open {}", root.display()))(errno(&e)))?;
    fchdir(new.as_raw_fd()).map_err(step("enter the new root"))?;
    pivot_root(".", ".").map_err(step("pivot_root into the container's root"))?;
    fchdir(old.as_raw_fd()).map_err(step("enter the old root"))?;
    mount(None::<&str>, ".", None::<&str>, MsFlags::MS_SLAVE | MsFlags::MS_REC, None::<&str>)
        .map_err(step("make the old root private"))?;
    umount2(".", MntFlags::MNT_DETACH).map_err(step("detach the old root"))?;
    chdir("/").map_err(step("enter /"))
}

/// Joins the workload's cgroups and namespaces, runs the command as a child and returns its
/// exit code (128 + the signal that killed it).
pub fn container_enter(args: &EnterArgs) -> Result<i32, IsolateError> {
    let (program, rest) = args.argv.split_first().ok_or(IsolateError::NoCommand)?;
    for path in &args.cgroup_procs {
        fs::write(path, "0")
            .map_err(|source| IsolateError::Cgroup { path: path.clone(), source })?;
    }
    docker_umask();
    close_on_exec();
    let pid = args.pid;
    // The mount namespace last: entering it changes the root, where /proc/PID is not.
    let namespaces = [
        ("uts", CloneFlags::CLONE_NEWUTS),
        ("ipc", CloneFlags::CLONE_NEWIPC),
        ("pid_for_children", CloneFlags::CLONE_NEWPID),
        ("mnt", CloneFlags::CLONE_NEWNS),
    ];
    let mut files = Vec::with_capacity(namespaces.len());
    for (name, flag) in namespaces {
        let path = format!("/proc/{pid}/ns/{name}");
        let file = File::open(&path).map_err(|e| step(format!("open {path}"))(errno(&e)))?;
        files.push((path, file, flag));
    }
    for (path, file, flag) in &files {
        setns(file, *flag).map_err(step(format!("enter {path}")))?;
    }
    drop(files);
    chdir(&args.workdir)
        .map_err(step(format!("enter the working directory {}", args.workdir.display())))?;
    drop_capabilities()?;
    let mut command = Command::new(program);
    command.args(rest);
    if let Some((uid, gid)) = args.user {
        command.uid(uid).gid(gid);
    }
    let status = command
        .status()
        .map_err(|source| IsolateError::Exec { program: program.clone(), source })?;
    Ok(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
}

/// Docker's umask, not popd's owner-only one.
fn docker_umask() {
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
}

/// Marks every open file past stderr close-on-exec: none of popd's or the supervisor's files
/// (such as its exit file) reaches the workload.
fn close_on_exec() {
    let Ok(entries) = fs::read_dir("/proc/self/fd") else { return };
    let fds: Vec<i32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in fds {
        // The directory's own descriptor is closed by now: EBADF is expected.
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).ok();
    }
}

/// Drops every capability but [`KEPT_CAPS`] from the bounding set, so that what this process
/// runs next can never have them. Equals `setpriv --bounding-set -all,+chown,…`.
fn drop_capabilities() -> Result<(), IsolateError> {
    for cap in (0..CAP_BOUND).filter(|c| !KEPT_CAPS.contains(c)) {
        // SAFETY: prctl(PR_CAPBSET_DROP, cap) reads no memory of ours; it only changes this
        // process's bounding set.
        #[allow(unsafe_code)]
        let result =
            unsafe { libc::prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(cap), 0, 0, 0) };
        if result != 0 {
            match nix::Error::last() {
                // Past the kernel's last capability.
                nix::Error::EINVAL => return Ok(()),
                e => return Err(step(format!("drop capability {cap}"))(e)),
            }
        }
    }
    Ok(())
}

/// Equals `setgroups 0; setgid GID; setuid UID`.
fn become_user(user: Option<(u32, u32)>) -> Result<(), IsolateError> {
    let Some((uid, gid)) = user else { return Ok(()) };
    setgroups(&[]).map_err(step("drop the supplementary groups"))?;
    setgid(Gid::from_raw(gid)).map_err(step(format!("become group {gid}")))?;
    setuid(Uid::from_raw(uid)).map_err(step(format!("become user {uid}")))
}

fn cstrings(argv: &[String]) -> Result<Vec<CString>, IsolateError> {
    argv.iter().map(|a| CString::new(a.as_str()).map_err(IsolateError::Nul)).collect()
}

fn errno(e: &std::io::Error) -> nix::Error {
    nix::Error::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_a_shells() {
        let exec =
            |kind| IsolateError::Exec { program: "x".into(), source: std::io::Error::from(kind) };
        assert_eq!(exec(std::io::ErrorKind::NotFound).code(), NOT_FOUND);
        assert_eq!(exec(std::io::ErrorKind::PermissionDenied).code(), CANNOT_RUN);
        let run = IsolateError::Step { step: "run x".into(), source: nix::Error::ENOENT };
        assert_eq!(run.code(), NOT_FOUND);
        let pivot = IsolateError::Step { step: "pivot".into(), source: nix::Error::EPERM };
        assert_eq!(pivot.code(), SETUP_FAILED);
        assert_eq!(IsolateError::NoCommand.code(), SETUP_FAILED);
    }

    #[test]
    fn docker_s_capabilities_are_kept_but_mknod() {
        assert!(!KEPT_CAPS.contains(&27)); // CAP_MKNOD
        assert!(!KEPT_CAPS.contains(&21)); // CAP_SYS_ADMIN
        assert!(!KEPT_CAPS.contains(&12)); // CAP_NET_ADMIN
        assert!(KEPT_CAPS.contains(&13)); // CAP_NET_RAW: ping
    }
}
