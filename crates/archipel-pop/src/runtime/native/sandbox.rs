//! A container's network namespace and its endpoints: made before the workload starts, torn
//! down once it has ended.

use std::collections::BTreeMap;
use std::time::Duration;

use std::sync::Arc;

use archipel_netlink::{Netlink, NetlinkError};
use nix::sys::signal::Signal;
use tracing::warn;

use super::error::{failed, NativeError};
use super::host::{self, Host};
use super::record::{EndpointRecord, ProcessId};
use crate::runtime::RuntimeError;

/// How often and how long a teardown waits for the namespace's processes to die.
const KILL_POLL: Duration = Duration::from_millis(20);
const KILL_ROUNDS: u32 = 250;

/// The kernel's side of the native runtime: the site's namespace (None: the host's), the
/// netlink access to it, and the host's processes (to empty a namespace before deleting it).
#[derive(Clone, Copy)]
pub(super) struct Net<'a> {
    pub(super) netlink: &'a dyn Netlink,
    pub(super) site: Option<&'a str>,
    pub(super) host: &'a Arc<dyn Host>,
}

impl Net<'_> {
    /// Makes the namespace `netns` with one veth per endpoint, plugged into its network's
    /// bridge, and returns the MAC of each endpoint by network. On failure, removes what it
    /// made. Equals:
    ///
    /// ```text
    /// ip netns add NETNS; ip -n NETNS link set lo up
    /// ip -n SITE link add HOST_VETH type veth peer name ethI netns NETNS   # per endpoint I
    /// ip -n SITE link set HOST_VETH mtu BRIDGE_MTU master BRIDGE up
    /// ip -n NETNS link set ethI mtu BRIDGE_MTU up; ip -n NETNS addr replace ADDR/PREFIX dev ethI
    /// ip -n NETNS route replace default via GATEWAY                       # of the first endpoint
    /// ```
    pub(super) async fn set_up(
        self,
        netns: &str,
        endpoints: &[EndpointRecord],
    ) -> Result<BTreeMap<String, String>, RuntimeError> {
        match self.try_set_up(netns, endpoints).await {
            Ok(macs) => Ok(macs),
            Err(error) => {
                let hosts: Vec<String> = endpoints.iter().map(|e| e.host_veth.clone()).collect();
                if let Err(cleanup) = self.tear_down(netns, None, &hosts).await {
                    warn!(%netns, error = %crate::error::chain(&cleanup), "cannot undo a failed start");
                }
                Err(error)
            }
        }
    }

    async fn try_set_up(
        self,
        netns: &str,
        endpoints: &[EndpointRecord],
    ) -> Result<BTreeMap<String, String>, RuntimeError> {
        let (nl, site, ns) = (self.netlink, self.site, Some(netns));
        nl.ensure_netns(netns).await.map_err(setup_failed)?;
        nl.set_up(ns, "lo").await.map_err(setup_failed)?;
        let mut macs = BTreeMap::new();
        for (i, ep) in endpoints.iter().enumerate() {
            let bridge = nl.link(site, &ep.bridge).await.map_err(setup_failed)?;
            let bridge = bridge.ok_or_else(|| {
                failed("set up the workload's network")(NativeError::NetworkMissing(
                    ep.network.clone(),
                ))
            })?;
            nl.ensure_veth(site, &ep.host_veth, &ep.iface, ns).await.map_err(setup_failed)?;
            nl.set_mtu(site, &ep.host_veth, bridge.mtu).await.map_err(setup_failed)?;
            nl.set_mtu(ns, &ep.iface, bridge.mtu).await.map_err(setup_failed)?;
            nl.set_master(site, &ep.host_veth, Some(&ep.bridge)).await.map_err(setup_failed)?;
            nl.set_up(site, &ep.host_veth).await.map_err(setup_failed)?;
            nl.set_up(ns, &ep.iface).await.map_err(setup_failed)?;
            nl.ensure_address(ns, &ep.iface, ep.address).await.map_err(setup_failed)?;
            if i == 0 {
                nl.ensure_default_route(ns, ep.gateway).await.map_err(setup_failed)?;
            }
            if let Some(mac) = nl.link_mac(ns, &ep.iface).await.map_err(setup_failed)? {
                macs.insert(ep.network.clone(), mac.to_string());
            }
        }
        Ok(macs)
    }

    /// Kills whatever still runs in `netns`, deletes the host ends of its veths and the
    /// namespace; what is already gone is skipped. Equals `ip netns pids NETNS | xargs kill -9;
    /// ip -n SITE link del HOST_VETH…; ip netns del NETNS`. Tries every step, returns the first
    /// error.
    pub(super) async fn tear_down(
        self,
        netns: &str,
        leader: Option<ProcessId>,
        host_veths: &[String],
    ) -> Result<(), RuntimeError> {
        kill_all(self.host, netns, leader).await;
        let mut first = None;
        for veth in host_veths {
            if let Err(e) = self.netlink.delete_link(self.site, veth).await {
                first.get_or_insert(failed("tear down the workload's network")(e));
            }
        }
        if let Err(e) = self.netlink.delete_netns(netns).await {
            first.get_or_insert(failed("tear down the workload's network")(e));
        }
        first.map_or(Ok(()), Err)
    }
}

fn setup_failed(error: NetlinkError) -> RuntimeError {
    failed("set up the workload's network")(error)
}

/// SIGKILL to the recorded group and to every process in `netns` until none is left there.
pub(super) async fn kill_all(host: &Arc<dyn Host>, netns: &str, leader: Option<ProcessId>) {
    for _ in 0..KILL_ROUNDS {
        let (host, target) = (host.clone(), netns.to_owned());
        let signalled = tokio::task::spawn_blocking(move || {
            host::signal_all(&*host, leader, &target, Signal::SIGKILL)
        })
        .await
        .unwrap_or(false);
        if !signalled {
            return;
        }
        tokio::time::sleep(KILL_POLL).await;
    }
    warn!(%netns, "processes of the workload survive SIGKILL");
}

#[cfg(test)]
pub(super) mod tests {
    use archipel_netlink::FakeNetlink;

    use super::*;
    use crate::runtime::native::host::fake::FakeHost;
    use crate::runtime::native::names;

    pub(in crate::runtime::native) fn fake_host() -> Arc<dyn Host> {
        Arc::new(FakeHost::new())
    }

    fn endpoint(netns: &str, i: usize, network: &str, address: &str) -> EndpointRecord {
        EndpointRecord {
            network: network.to_owned(),
            bridge: names::bridge("popd-a", network),
            host_veth: names::host_veth(netns, i),
            iface: names::container_iface(i),
            address: address.parse().unwrap(),
            gateway: "10.1.0.1".parse().unwrap(),
        }
    }

    async fn site(fake: &FakeNetlink) {
        fake.ensure_netns("site").await.unwrap();
        for network in ["private", "public"] {
            let bridge = names::bridge("popd-a", network);
            fake.ensure_bridge(Some("site"), &bridge, Some(1450)).await.unwrap();
        }
    }

    #[tokio::test]
    async fn plugs_each_endpoint_into_its_bridge() {
        let fake = FakeNetlink::new();
        site(&fake).await;
        let host = fake_host();
        let net = Net { netlink: &fake, site: Some("site"), host: &host };
        let netns = names::netns("0123abcd", "pop-1");
        let endpoints = [
            endpoint(&netns, 0, "private", "10.1.0.2/24"),
            endpoint(&netns, 1, "public", "10.2.0.2/24"),
        ];
        let macs = net.set_up(&netns, &endpoints).await.unwrap();
        assert_eq!(macs.keys().collect::<Vec<_>>(), ["private", "public"]);
        let ns = Some(netns.as_str());
        for ep in &endpoints {
            let host = fake.link(Some("site"), &ep.host_veth).await.unwrap().unwrap();
            assert_eq!(host.master.as_deref(), Some(ep.bridge.as_str()));
            assert!(host.up);
            assert_eq!(host.mtu, 1450);
            let inside = fake.link(ns, &ep.iface).await.unwrap().unwrap();
            assert!(inside.up);
            assert_eq!(inside.mtu, 1450);
        }
        assert!(fake.link(ns, "lo").await.unwrap().unwrap().up);
        let addresses: Vec<_> = fake.list_addresses(ns, None).await.unwrap();
        assert!(addresses.iter().any(|a| a.link == "eth1" && a.addr == endpoints[1].address));
        let routes = fake.list_routes(ns).await.unwrap();
        assert!(routes
            .iter()
            .any(|r| r.dest.prefix_len() == 0 && r.via == Some(endpoints[0].gateway)));

        net.tear_down(
            &netns,
            None,
            &[endpoints[0].host_veth.clone(), endpoints[1].host_veth.clone()],
        )
        .await
        .unwrap();
        assert!(!fake.netns_exists(&netns).await.unwrap());
        assert!(fake.link(Some("site"), &endpoints[0].host_veth).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_failure_leaves_nothing_behind() {
        let fake = FakeNetlink::new();
        site(&fake).await;
        let host = fake_host();
        let net = Net { netlink: &fake, site: Some("site"), host: &host };
        let netns = names::netns("0123abcd", "pop-2");
        let endpoints = [
            endpoint(&netns, 0, "private", "10.1.0.3/24"),
            endpoint(&netns, 1, "public", "10.2.0.3/24"),
        ];
        fake.fail_on(format!("ensure_address {netns} eth1"));
        let links_before = fake.list_links(Some("site")).await.unwrap();
        net.set_up(&netns, &endpoints).await.unwrap_err();
        assert!(!fake.netns_exists(&netns).await.unwrap());
        assert_eq!(fake.list_links(Some("site")).await.unwrap(), links_before);

        // A missing bridge fails the same way, naming the network.
        let lonely = [endpoint(&netns, 0, "nowhere", "10.9.0.2/24")];
        let err = net.set_up(&netns, &lonely).await.unwrap_err();
        assert!(crate::error::chain(&err).contains("network nowhere has no bridge"), "{err}");
        assert!(!fake.netns_exists(&netns).await.unwrap());
    }
}
