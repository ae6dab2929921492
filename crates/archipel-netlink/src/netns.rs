//! Named network namespaces, laid out as iproute2 lays them out (`/run/netns/NAME`), and running
//! code inside one.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};
use nix::sys::statfs::{statfs, NSFS_MAGIC};

use crate::error::{NetlinkError, Result};
use crate::names::{check_netns, check_ns};
use crate::types::ns_label;

/// Where `ip netns` keeps its namespaces.
pub const NETNS_DIR: &str = "/run/netns";

/// The file of a named namespace (an absolute path names itself).
pub fn netns_path(name: &str) -> PathBuf {
    Path::new(NETNS_DIR).join(name)
}

/// Opens the namespace file of `ns`: `/run/netns/NAME` (or NAME itself when it is an absolute
/// path), or the host's for `None`.
pub(crate) fn open_netns(ns: Option<&str>) -> Result<File> {
    let Some(name) = ns else {
        return File::open("/proc/self/ns/net")
            .map_err(|e| NetlinkError::os("open /proc/self/ns/net", e));
    };
    check_ns(ns)?;
    if !is_netns(name) {
        return Err(NetlinkError::NetnsNotFound { name: name.to_owned() });
    }
    File::open(netns_path(name)).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => NetlinkError::NetnsNotFound { name: name.to_owned() },
        _ => NetlinkError::os(format!("open {}", netns_path(name).display()), source),
    })
}

/// Runs `f` inside the network namespace `ns`, like `ip netns exec NAME`, and returns its result.
///
/// `f` runs on a thread of its own that enters the namespace and ends with `f`, so no thread of
/// the caller (nor of a pool) is ever left in another namespace. What `f` creates there stays in
/// the namespace: sockets, and processes it spawns. For `None`, `f` runs on the calling thread.
pub fn in_netns<T, F>(ns: Option<&str>, f: F) -> Result<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let Some(name) = ns else { return Ok(f()) };
    let file = open_netns(ns)?;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name(format!("netns-{name}"))
            .spawn_scoped(scope, move || enter(&file, name).map(|()| f()))
            .map_err(|e| NetlinkError::os("spawn a thread", e))?;
        worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// [`in_netns`] for async callers: the caller's task waits without blocking its thread.
pub async fn in_netns_async<T, F>(ns: Option<&str>, f: F) -> Result<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let Some(name) = ns else { return Ok(f()) };
    let file = open_netns(ns)?;
    let owned = name.to_owned();
    let (tx, rx) = futures::channel::oneshot::channel();
    std::thread::Builder::new()
        .name(format!("netns-{name}"))
        .spawn(move || {
            let _ = tx.send(enter(&file, &owned).map(|()| f()));
        })
        .map_err(|e| NetlinkError::os("spawn a thread", e))?;
    rx.await.map_err(|_| NetlinkError::ThreadPanicked { ns: ns_label(ns) })?
}

/// Moves the calling thread into the namespace of `file`.
fn enter(file: &File, name: &str) -> Result<()> {
    setns(file, CloneFlags::CLONE_NEWNET)
        .map_err(|e| NetlinkError::os(format!("ip netns exec {name}"), e.into()))
}

/// Whether NAME is a mounted namespace, which is what `ip netns` relies on.
pub(crate) fn is_netns(name: &str) -> bool {
    statfs(&netns_path(name)).is_ok_and(|fs| fs.filesystem_type() == NSFS_MAGIC)
}

/// `ip netns add NAME`, keeping an existing namespace.
pub(crate) fn ensure(name: &str) -> Result<()> {
    check_netns(name)?;
    if is_netns(name) {
        return Ok(());
    }
    let op = format!("ip netns add {name}");
    let os = |e: nix::Error| NetlinkError::os(op.clone(), e.into());
    fs::create_dir_all(NETNS_DIR).map_err(|e| NetlinkError::os(op.clone(), e))?;
    make_dir_shared().map_err(os)?;
    let path = netns_path(name);
    // A file left by an interrupted creation is reused: mounting over it finishes the job.
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o000)
        .open(&path)
        .map_err(|e| NetlinkError::os(op.clone(), e))?;
    // unshare moves only the calling thread, so it runs on a thread of its own.
    let bound = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                unshare(CloneFlags::CLONE_NEWNET)?;
                mount(
                    Some("/proc/thread-self/ns/net"),
                    &path,
                    Some("none"),
                    MsFlags::MS_BIND,
                    None::<&str>,
                )
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    bound.map_err(|e| {
        let _ = fs::remove_file(&path);
        os(e)
    })
}

/// Makes /run/netns a shared mount point, as `ip netns add` does, so that deleting a namespace
/// in one mount namespace deletes it in all of them.
fn make_dir_shared() -> nix::Result<()> {
    let shared = MsFlags::MS_SHARED | MsFlags::MS_REC;
    match mount(Some(""), NETNS_DIR, Some("none"), shared, None::<&str>) {
        Err(nix::Error::EINVAL) => {
            // Not a mount point yet: bind it onto itself first.
            let bind = MsFlags::MS_BIND | MsFlags::MS_REC;
            mount(Some(NETNS_DIR), NETNS_DIR, Some("none"), bind, None::<&str>)?;
            mount(Some(""), NETNS_DIR, Some("none"), shared, None::<&str>)
        }
        other => other,
    }
}

/// `ip netns del NAME`; nothing to delete is fine.
pub(crate) fn delete(name: &str) -> Result<()> {
    check_netns(name)?;
    let path = netns_path(name);
    let op = format!("ip netns del {name}");
    match umount2(&path, MntFlags::MNT_DETACH) {
        Ok(()) | Err(nix::Error::EINVAL) | Err(nix::Error::ENOENT) => {}
        Err(e) => return Err(NetlinkError::os(op, e.into())),
    }
    match fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(NetlinkError::os(op, e)),
        _ => Ok(()),
    }
}

/// `ip netns ls`: the mounted namespaces, sorted.
pub(crate) fn list() -> Result<Vec<String>> {
    let entries = match fs::read_dir(NETNS_DIR) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(NetlinkError::os("ip netns ls", e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| is_netns(name))
        .collect();
    names.sort();
    Ok(names)
}
