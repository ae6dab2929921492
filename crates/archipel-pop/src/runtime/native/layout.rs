//! Where a native runtime keeps its state and what it names its namespaces, for whoever must
//! find what a popd left (the lab's `down`, the tests' sweeps) without re-deriving it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use archipel_netlink::Netlink;

use super::error::{failed, NativeError};
use super::host::{Host, SysHost};
use super::names;
use super::record::{self, WorkloadDir};
use super::sandbox::Net;
use crate::runtime::RuntimeError;

/// Where popd keeps its native runtime's state: `DATA_DIR/native`.
pub fn state_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("native")
}

/// The bridge the native runtime makes for the network `network` of the popd `instance`.
pub fn bridge_name(instance: &str, network: &str) -> String {
    names::bridge(instance, network)
}

/// The native runtime of one popd instance on one state directory, as found from outside: its
/// owner tag, its namespaces, its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeLayout {
    /// Canonical when it exists, as the runtime makes it.
    pub(super) state_dir: PathBuf,
    tag: String,
}

impl NativeLayout {
    pub fn new(instance: &str, state_dir: &Path) -> Self {
        let state_dir = std::fs::canonicalize(state_dir).unwrap_or_else(|_| state_dir.to_owned());
        let tag = names::owner_tag(instance, &state_dir);
        Self { state_dir, tag }
    }

    /// The 8 hex digits that name this runtime in its namespaces' names.
    pub fn owner_tag(&self) -> &str {
        &self.tag
    }

    /// The start of the name of every container namespace of this runtime.
    pub fn netns_prefix(&self) -> String {
        names::netns_prefix(&self.tag)
    }

    /// Whether `netns` is named as a container namespace of this runtime.
    pub fn owns(&self, netns: &str) -> bool {
        names::is_own_netns(&self.tag, netns)
    }

    /// The hosts file of the network whose bridge is `bridge` (see `hosts`).
    pub(super) fn network_hosts(&self, bridge: &str) -> PathBuf {
        self.state_dir.join("hosts").join(bridge)
    }

    /// The network namespace (and runtime id) of the Pop container `pop_id`.
    pub(super) fn netns(&self, pop_id: &str) -> String {
        names::netns(&self.tag, pop_id)
    }

    pub(super) fn dir(&self, runtime_id: &str) -> WorkloadDir {
        WorkloadDir::new(&self.state_dir, runtime_id)
    }

    /// The runtime ids (namespace names) of the workloads recorded in the state directory,
    /// whether their namespace still exists or not.
    pub fn recorded(&self) -> Result<Vec<String>, NativeError> {
        record::recorded_ids(&self.state_dir)
    }

    /// Kills every process in the namespaces of this runtime (named for it or recorded by it)
    /// and deletes them, which deletes their veths; for a popd that no longer runs. Equals
    /// `ip netns pids NETNS | xargs kill -9; ip netns del NETNS` for each. Returns the
    /// namespaces removed.
    pub async fn sweep(&self, netlink: &dyn Netlink) -> Result<Vec<String>, RuntimeError> {
        self.sweep_on(netlink, &(Arc::new(SysHost::default()) as Arc<dyn Host>)).await
    }

    pub(super) async fn sweep_on(
        &self,
        netlink: &dyn Netlink,
        host: &Arc<dyn Host>,
    ) -> Result<Vec<String>, RuntimeError> {
        let recorded = self.recorded().map_err(failed("sweep the workloads"))?;
        let present = netlink.list_netns().await.map_err(failed("list namespaces"))?;
        let net = Net { netlink, site: None, host };
        let mut removed = Vec::new();
        for netns in present.into_iter().filter(|ns| self.owns(ns) || recorded.contains(ns)) {
            net.tear_down(&netns, None, &[]).await?;
            removed.push(netns);
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use archipel_netlink::FakeNetlink;

    use super::*;
    use crate::runtime::native::host::fake::FakeHost;

    #[tokio::test]
    async fn sweeps_its_namespaces_and_no_one_elses() {
        let root = tempfile::tempdir().unwrap();
        let layout = NativeLayout::new("site-a", root.path());
        assert_eq!(layout, NativeLayout::new("site-a", &root.path().join(".")));
        assert_ne!(layout.owner_tag(), NativeLayout::new("site-b", root.path()).owner_tag());
        let (own, other) = (layout.netns("pop-1"), names::netns("0badc0de", "pop-1"));
        assert!(own.starts_with(&layout.netns_prefix()) && layout.owns(&own));
        assert!(!layout.owns(&other));
        // A namespace recorded under another name (an older naming) is its too.
        let recorded = "apc-recorded".to_owned();
        std::fs::create_dir_all(layout.dir(&recorded).path()).unwrap();
        assert_eq!(layout.recorded().unwrap(), std::slice::from_ref(&recorded));

        let netlink = FakeNetlink::new();
        let fake = Arc::new(FakeHost::new());
        for (pid, ns) in [(1, &own), (2, &other), (3, &recorded)] {
            netlink.ensure_netns(ns).await.unwrap();
            fake.add(pid, 10, Some(ns));
        }
        let host: Arc<dyn Host> = fake.clone();
        let mut removed = layout.sweep_on(&netlink, &host).await.unwrap();
        removed.sort();
        assert_eq!(removed, [recorded, own]);
        assert_eq!(netlink.list_netns().await.unwrap(), [other]);
        assert!(!fake.running(1) && fake.running(2) && !fake.running(3));
    }

    #[test]
    fn knows_where_popd_keeps_it_and_its_bridges() {
        assert_eq!(state_dir(Path::new("/var/lib/popd")), Path::new("/var/lib/popd/native"));
        assert_eq!(bridge_name("tour", "private"), "apbe82923876ca0");
    }
}
