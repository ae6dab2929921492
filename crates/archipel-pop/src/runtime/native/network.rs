//! Pop networks as Linux bridges in the site's namespace, holding the gateway address.

use archipel_ipam::overlaps;
use ipnet::Ipv4Net;

use super::error::{failed, NativeError};
use super::names;
use super::sandbox::Net;
use crate::runtime::{Clash, NetworkAttachment, NetworkSpec, RuntimeError};

impl Net<'_> {
    /// Creates the bridge or adopts it, unless it holds addresses outside the subnet. Equals
    /// `ip -n SITE link add BRIDGE type bridge [mtu MTU]; ip -n SITE addr replace GATEWAY/PREFIX
    /// dev BRIDGE; ip -n SITE link set BRIDGE up; ip netns exec SITE sysctl -w
    /// net.ipv4.ip_forward=1` (forwarding, so the gateway routes between the site's networks and
    /// beyond), and `iptables -I FORWARD -i|-o BRIDGE -j ACCEPT` where iptables exists.
    pub(super) async fn ensure_network(
        self,
        instance: &str,
        spec: &NetworkSpec,
    ) -> Result<NetworkAttachment, RuntimeError> {
        let bridge = names::bridge(instance, &spec.name);
        let exists = self
            .netlink
            .link(self.site, &bridge)
            .await
            .map_err(failed("ensure network"))?
            .is_some();
        let held = if exists {
            self.netlink
                .list_addresses(self.site, Some(&bridge))
                .await
                .map_err(failed("ensure network"))?
        } else {
            // A bridge that exists is this popd's, adopted as it is; a new one must not clash
            // with what the namespace already holds.
            self.check_free(spec).await?;
            Vec::new()
        };
        let subnet = spec.subnet.trunc();
        if let Some(other) = held.iter().find(|a| a.addr.trunc() != subnet) {
            return Err(RuntimeError::NetworkConflict {
                name: spec.name.clone(),
                found: other.addr.trunc().to_string(),
                wanted: spec.subnet,
            });
        }
        let gateway =
            Ipv4Net::new(spec.gateway, subnet.prefix_len()).map_err(failed("ensure network"))?;
        if let Err(e) = self.realise(&bridge, spec.mtu, gateway).await {
            if !exists {
                // All or nothing: a half-made bridge would stay for good.
                let _ = self.netlink.delete_link(self.site, &bridge).await;
                let _ = self.netlink.forget_forwarding(self.site, &bridge).await;
            }
            return Err(e);
        }
        Ok(NetworkAttachment {
            runtime_id: bridge.clone(),
            bridge,
            netns: self.site.map(str::to_owned),
            in_use: held.iter().map(|a| a.addr.addr()).filter(|a| *a != spec.gateway).collect(),
            runtime_range: None,
        })
    }

    async fn realise(
        self,
        bridge: &str,
        mtu: Option<u32>,
        gateway: Ipv4Net,
    ) -> Result<(), RuntimeError> {
        let nl = self.netlink;
        let op = || failed("ensure network");
        nl.ensure_bridge(self.site, bridge, mtu).await.map_err(op())?;
        nl.ensure_address(self.site, bridge, gateway).await.map_err(op())?;
        nl.set_up(self.site, bridge).await.map_err(op())?;
        nl.set_ip_forward(self.site, true).await.map_err(op())?;
        nl.allow_forwarding(self.site, bridge).await.map_err(op())
    }

    /// Refuses a subnet or gateway that the site's namespace already uses: an address on any
    /// interface (another popd's bridge, a Docker network's, a physical link) or a route other
    /// than the default one.
    async fn check_free(self, spec: &NetworkSpec) -> Result<(), RuntimeError> {
        let subnet = spec.subnet.trunc();
        let op = || failed("check the site's addresses");
        let addresses = self.netlink.list_addresses(self.site, None).await.map_err(op())?;
        let routes = self.netlink.list_routes(self.site).await.map_err(op())?;
        let clash = |clash| RuntimeError::SiteConflict { network: spec.name.clone(), clash };
        if let Some(a) = addresses.iter().find(|a| a.addr.addr() == spec.gateway) {
            return Err(clash(Clash::Gateway { gateway: spec.gateway, link: a.link.clone() }));
        }
        if let Some(a) = addresses.iter().find(|a| overlaps(&a.addr.trunc(), &subnet)) {
            return Err(clash(Clash::Address { subnet, addr: a.addr, link: a.link.clone() }));
        }
        let route = routes.iter().find(|r| r.dest.prefix_len() > 0 && overlaps(&r.dest, &subnet));
        if let Some(r) = route {
            let via = r.via.map(|v| format!(" via {v}")).unwrap_or_default();
            let dev = r.dev.as_ref().map(|d| format!(" dev {d}")).unwrap_or_default();
            return Err(clash(Clash::Route {
                subnet,
                dest: r.dest,
                via_dev: format!("{via}{dev}"),
            }));
        }
        Ok(())
    }

    /// Sets the MTU of the bridge and of its ports (the host ends of the containers' veths;
    /// the caller sets the containers' ends). Equals `ip -n SITE link set BRIDGE mtu MTU` and
    /// the same for every link whose master is BRIDGE.
    pub(super) async fn update_network(
        self,
        instance: &str,
        spec: &NetworkSpec,
    ) -> Result<(), RuntimeError> {
        let bridge = names::bridge(instance, &spec.name);
        let op = || failed("update network");
        if self.netlink.link(self.site, &bridge).await.map_err(op())?.is_none() {
            return Err(failed("update network")(NativeError::NetworkMissing(spec.name.clone())));
        }
        let Some(mtu) = spec.mtu else {
            return Ok(());
        };
        self.netlink.set_mtu(self.site, &bridge, mtu).await.map_err(op())?;
        let links = self.netlink.list_links(self.site).await.map_err(op())?;
        for port in links.iter().filter(|l| l.master.as_deref() == Some(bridge.as_str())) {
            self.netlink.set_mtu(self.site, &port.name, mtu).await.map_err(op())?;
        }
        Ok(())
    }

    /// Equals `ip -n SITE link del BRIDGE` and the removal of its forwarding rules; a missing
    /// bridge is fine.
    pub(super) async fn remove_network(
        self,
        instance: &str,
        spec: &NetworkSpec,
    ) -> Result<(), RuntimeError> {
        let bridge = names::bridge(instance, &spec.name);
        let op = || failed("remove network");
        self.netlink.delete_link(self.site, &bridge).await.map_err(op())?;
        self.netlink.forget_forwarding(self.site, &bridge).await.map_err(op())
    }
}

#[cfg(test)]
mod tests {
    use archipel_netlink::{FakeNetlink, Netlink};

    use super::*;
    use crate::runtime::native::sandbox::tests::fake_host;

    fn spec(subnet: &str, gateway: &str, mtu: Option<u32>) -> NetworkSpec {
        NetworkSpec {
            id: "n1".to_owned(),
            name: "private".to_owned(),
            subnet: subnet.parse().unwrap(),
            gateway: gateway.parse().unwrap(),
            mtu,
        }
    }

    #[tokio::test]
    async fn makes_a_bridge_with_the_gateway_and_adopts_it() {
        let fake = FakeNetlink::new();
        fake.ensure_netns("site").await.unwrap();
        let host = fake_host();
        let net = Net { netlink: &fake, site: Some("site"), host: &host };
        let spec = spec("10.1.0.0/24", "10.1.0.1", Some(1450));
        let attachment = net.ensure_network("popd-a", &spec).await.unwrap();
        let bridge = names::bridge("popd-a", "private");
        assert_eq!(attachment.runtime_id, bridge);
        assert_eq!(attachment.bridge, bridge);
        assert_eq!(attachment.netns.as_deref(), Some("site"));
        assert!(attachment.in_use.is_empty());
        let link = fake.link(Some("site"), &bridge).await.unwrap().unwrap();
        assert!(link.up);
        assert_eq!(link.mtu, 1450);
        let addresses = fake.list_addresses(Some("site"), Some(&bridge)).await.unwrap();
        assert_eq!(addresses[0].addr, "10.1.0.1/24".parse::<Ipv4Net>().unwrap());
        assert!(fake.ip_forward(Some("site")));

        // Adopted as is; another address of the subnet on it is reported in use.
        fake.ensure_address(Some("site"), &bridge, "10.1.0.9/24".parse().unwrap()).await.unwrap();
        let again = net.ensure_network("popd-a", &spec).await.unwrap();
        assert_eq!(again.in_use, ["10.1.0.9".parse::<std::net::Ipv4Addr>().unwrap()]);
    }

    #[tokio::test]
    async fn refuses_a_bridge_holding_another_subnet() {
        let fake = FakeNetlink::new();
        let host = fake_host();
        let net = Net { netlink: &fake, site: None, host: &host };
        net.ensure_network("popd-a", &spec("10.1.0.0/24", "10.1.0.1", None)).await.unwrap();
        let calls = fake.take_calls();
        let err =
            net.ensure_network("popd-a", &spec("10.2.0.0/24", "10.2.0.1", None)).await.unwrap_err();
        assert!(
            matches!(err, RuntimeError::NetworkConflict { ref found, .. } if found == "10.1.0.0/24"),
            "{err}"
        );
        assert!(fake.calls().is_empty(), "nothing changed after {calls:?}");
    }

    #[tokio::test]
    async fn sets_the_mtu_of_the_bridge_and_its_ports_and_removes_it() {
        let fake = FakeNetlink::new();
        let host = fake_host();
        let net = Net { netlink: &fake, site: None, host: &host };
        let mut spec = spec("10.1.0.0/24", "10.1.0.1", None);
        net.ensure_network("popd-a", &spec).await.unwrap();
        let bridge = names::bridge("popd-a", "private");
        fake.ensure_veth(None, "port0", "peer0", None).await.unwrap();
        fake.set_master(None, "port0", Some(&bridge)).await.unwrap();
        spec.mtu = Some(1400);
        net.update_network("popd-a", &spec).await.unwrap();
        assert_eq!(fake.link(None, &bridge).await.unwrap().unwrap().mtu, 1400);
        assert_eq!(fake.link(None, "port0").await.unwrap().unwrap().mtu, 1400);
        assert_eq!(fake.link(None, "peer0").await.unwrap().unwrap().mtu, 1500);

        net.remove_network("popd-a", &spec).await.unwrap();
        net.remove_network("popd-a", &spec).await.unwrap();
        assert!(fake.link(None, &bridge).await.unwrap().is_none());
        let err = net.update_network("popd-a", &spec).await.unwrap_err();
        assert!(crate::error::chain(&err).contains("has no bridge"), "{err}");
    }
}
