//! Names resolve between native containers as Docker's embedded DNS resolves them between the
//! containers of a network: every running workload has its own hosts file (`hosts` in its
//! directory, mounted over its `/etc/hosts` in a mount namespace of its own) naming itself and
//! every running workload it shares a network with, by Pop container name. The files are
//! rewritten in place (the mount follows the inode) whenever a workload starts or ends.

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

/// The hosts file of `me` among `all` workloads: itself, then every running workload that
/// shares one of its networks, at its address there, in name order.
pub(super) fn content(me: &Record, all: &[Record]) -> String {
    let mut text = HEADER.to_owned();
    for endpoint in &me.endpoints {
        text.push_str(&format!("{}\t{}\n", endpoint.address.addr(), me.name));
    }
    let mut others: Vec<(String, String)> = Vec::new();
    for other in all {
        if other.runtime_id == me.runtime_id || other.status != Status::Running {
            continue;
        }
        for endpoint in &other.endpoints {
            if me.endpoints.iter().any(|mine| mine.network == endpoint.network) {
                others.push((other.name.clone(), endpoint.address.addr().to_string()));
            }
        }
    }
    others.sort();
    for (name, address) in others {
        text.push_str(&format!("{address}\t{name}\n"));
    }
    text
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
    /// Rewrites the hosts file of every running workload.
    pub(super) fn refresh_hosts(&self) {
        let records: Vec<Record> = self.snapshot().iter().map(|entry| entry.record()).collect();
        for record in records.iter().filter(|r| r.status == Status::Running) {
            let path = self.dir(&record.runtime_id).hosts();
            if let Err(error) = write(&path, &content(record, &records)) {
                warn!(id = %record.runtime_id, error = %crate::error::chain(&error), "cannot update a workload's hosts file");
            }
        }
    }

    /// The hosts file of `record`, about to start, among the workloads running now.
    pub(super) fn hosts_for(&self, record: &Record) -> String {
        let records: Vec<Record> = self.snapshot().iter().map(|entry| entry.record()).collect();
        content(record, &records)
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
                    bridge: "b".to_owned(),
                    host_veth: "v".to_owned(),
                    iface: "eth0".to_owned(),
                    address: address.parse().unwrap(),
                    gateway: "10.0.0.1".parse().unwrap(),
                })
                .collect(),
            process: None,
            started_at: 0,
            status,
        }
    }

    #[test]
    fn a_workload_sees_itself_and_the_running_workloads_of_its_networks() {
        let me = record("1", "client-0", &[("a", "10.0.0.2/24")], Status::Starting);
        let all = [
            me.clone(),
            record("2", "server-0", &[("a", "10.0.0.3/24"), ("b", "10.1.0.3/24")], Status::Running),
            record("3", "other-0", &[("b", "10.1.0.4/24")], Status::Running),
            record("4", "gone-0", &[("a", "10.0.0.5/24")], Status::Exited { code: 0 }),
        ];
        assert_eq!(content(&me, &all), format!("{HEADER}10.0.0.2\tclient-0\n10.0.0.3\tserver-0\n"));
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
