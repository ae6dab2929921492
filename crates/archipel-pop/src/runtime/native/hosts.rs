//! Names resolve between native containers as Docker's embedded DNS resolves them between the
//! containers of a network: a workload's `/etc/hosts` (in a mount namespace of its own) names
//! every running workload of its networks, by Pop container name. A workload on one network
//! (the common case) sees its network's file (`hosts/<bridge>` in the state directory), shared
//! by every workload of that network, so that a start or an end rewrites one file per network
//! it touches rather than one per workload; a workload on several networks has its own file
//! (`hosts` in its directory), the union of theirs. Files are rewritten in place (the mounts
//! follow the inode); a network's file goes with its last workload.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use tracing::warn;

use super::error::NativeError;
use super::image::Image;
use super::inner::Inner;
use super::record::{Record, Status};

const HEADER: &str = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

/// The hosts file of the networks (bridges) `bridges`: every workload of `all` that runs, or is
/// `starting`, at its address on each, in name order.
pub(super) fn content(
    bridges: &BTreeSet<String>,
    all: &[Record],
    starting: Option<&str>,
) -> String {
    let mut lines: Vec<(String, String)> = Vec::new();
    for record in all {
        let live = record.status == Status::Running || Some(record.runtime_id.as_str()) == starting;
        if !live {
            continue;
        }
        for endpoint in record.endpoints.iter().filter(|e| bridges.contains(&e.bridge)) {
            lines.push((record.name.clone(), endpoint.address.addr().to_string()));
        }
    }
    lines.sort();
    lines.dedup();
    let mut text = HEADER.to_owned();
    for (name, address) in lines {
        text.push_str(&format!("{address}\t{name}\n"));
    }
    text
}

/// The bridges of a workload's networks.
fn bridges(record: &Record) -> BTreeSet<String> {
    record.endpoints.iter().map(|e| e.bridge.clone()).collect()
}

/// Writes `text` into `path` in place (created 0600 if absent), so that a mount of it sees the
/// new content.
pub(super) fn write(path: &Path, text: &str) -> Result<(), NativeError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(NativeError::io("write", path))?;
    file.write_all(text.as_bytes()).map_err(NativeError::io("write", path))
}

/// Where a workload of `image` sees its hosts file: the host's `/etc/hosts` path, or its root
/// filesystem's (made empty if the image has an `/etc` but no hosts file). None: the image has
/// no `/etc` to mount over, so its names do not resolve.
pub(super) fn target(image: &Image) -> Result<Option<PathBuf>, NativeError> {
    let Some(rootfs) = &image.manifest.rootfs else {
        return Ok(Some(PathBuf::from("/etc/hosts")).filter(|p| p.is_file()));
    };
    let etc = rootfs.join("etc");
    if !etc.is_dir() {
        return Ok(None);
    }
    let hosts = etc.join("hosts");
    if !hosts.exists() {
        fs::write(&hosts, HEADER).map_err(NativeError::io("write", &hosts))?;
    }
    Ok(Some(hosts))
}

impl Inner {
    /// The hosts file `record`'s workload sees.
    pub(super) fn hosts_path(&self, record: &Record) -> PathBuf {
        match record.endpoints.as_slice() {
            [only] => self.layout.network_hosts(&only.bridge),
            _ => self.dir(&record.runtime_id).hosts(),
        }
    }

    /// Rewrites the hosts files that `record`'s networks touch: each network's, and those of the
    /// workloads on several networks that share one with it; `starting` (a runtime id) counts as
    /// running. A network left with no workload loses its file.
    pub(super) fn refresh_hosts(&self, record: &Record, starting: Option<&str>) {
        let all: Vec<Record> = self.snapshot().iter().map(|entry| entry.record()).collect();
        let touched = bridges(record);
        let write = |path: &Path, text: &str| {
            if let Err(error) = write(path, text) {
                warn!(error = %crate::error::chain(&error), "cannot update a hosts file");
            }
        };
        for bridge in &touched {
            let path = self.layout.network_hosts(bridge);
            let one = BTreeSet::from([bridge.clone()]);
            let text = content(&one, &all, starting);
            if text == HEADER {
                if let Err(e) = fs::remove_file(&path) {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        warn!(path = %path.display(), error = %e, "cannot remove a hosts file");
                    }
                }
            } else {
                write(&path, &text);
            }
        }
        for other in &all {
            let live =
                other.status == Status::Running || Some(other.runtime_id.as_str()) == starting;
            let mine = bridges(other);
            if live && mine.len() != 1 && (mine.is_empty() || !mine.is_disjoint(&touched)) {
                let text = content(&mine, &all, starting);
                // A workload on no network still names itself.
                let text = if mine.is_empty() {
                    format!("{text}127.0.0.1\t{}\n", other.name)
                } else {
                    text
                };
                write(&self.dir(&other.runtime_id).hosts(), &text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::native::record::EndpointRecord;

    fn record(id: &str, name: &str, endpoints: &[(&str, &str)], status: Status) -> Record {
        Record {
            runtime_id: id.to_owned(),
            pop_id: id.to_owned(),
            name: name.to_owned(),
            image: "i".to_owned(),
            endpoints: endpoints
                .iter()
                .map(|(network, address)| EndpointRecord {
                    network: (*network).to_owned(),
                    bridge: format!("br-{network}"),
                    host_veth: "v".to_owned(),
                    iface: "eth0".to_owned(),
                    address: address.parse().unwrap(),
                    gateway: "10.0.0.1".parse().unwrap(),
                })
                .collect(),
            process: None,
            started_at: 0,
            status,
            limits: Default::default(),
            oom_killed: false,
        }
    }

    #[test]
    fn a_network_names_its_running_workloads_and_the_starting_one() {
        let all = [
            record("1", "client-0", &[("a", "10.0.0.2/24")], Status::Starting),
            record("2", "server-0", &[("a", "10.0.0.3/24"), ("b", "10.1.0.3/24")], Status::Running),
            record("3", "other-0", &[("b", "10.1.0.4/24")], Status::Running),
            record("4", "gone-0", &[("a", "10.0.0.5/24")], Status::Exited { code: 0 }),
        ];
        let a = BTreeSet::from(["br-a".to_owned()]);
        assert_eq!(
            content(&a, &all, Some("1")),
            format!("{HEADER}10.0.0.2\tclient-0\n10.0.0.3\tserver-0\n")
        );
        assert_eq!(content(&a, &all, None), format!("{HEADER}10.0.0.3\tserver-0\n"));
        let both = BTreeSet::from(["br-a".to_owned(), "br-b".to_owned()]);
        assert_eq!(
            content(&both, &all, None),
            format!("{HEADER}10.1.0.4\tother-0\n10.0.0.3\tserver-0\n10.1.0.3\tserver-0\n")
        );
    }

    #[test]
    fn writes_in_place() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts");
        write(&path, "a long first content\n").unwrap();
        let inode = fs::metadata(&path).unwrap().ino();
        write(&path, "short\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "short\n");
        assert_eq!(fs::metadata(&path).unwrap().ino(), inode);
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
    }
}
