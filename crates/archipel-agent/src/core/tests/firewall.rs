//! Each service's firewall: VXLAN of its VNI accepted from its participants only, an L3
//! service forwarding only between its subnets with TCP's MSS clamped, every rule set removed
//! with the service, rolled back with a failed create and made again at start.

use archipel_netlink::iptables::{FirewallError, Table};

use super::{members, ns, request};
use crate::guard::{accepted, routed_chain, vxlan_chain};
use crate::model::ServiceType;
use crate::testing::world::{world, Site};

/// The addresses site `site`'s firewall accepts VXLAN of `vni` from.
fn accepted_at(site: &Site, vni: u32) -> Vec<std::net::Ipv4Addr> {
    let set = site.fw.set(ns(site), Table::Filter, &vxlan_chain(vni));
    accepted(&set.expect("the vxlan rule set"))
}

#[tokio::test]
async fn vxlan_is_accepted_from_the_participants_only_and_the_rules_go_with_the_service() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let service = sites["a"].agent.create(request(ServiceType::L2, &[("a", "net"), ("b", "net")]));
    let id = service.await.unwrap().global_id;
    assert_eq!(accepted_at(&sites["a"], 1000), [sites["b"].underlay]);
    assert_eq!(accepted_at(&sites["b"], 1000), [sites["a"].underlay]);
    let set = sites["a"].fw.set(ns(&sites["a"]), Table::Filter, "ARCHIPEL-VX1000").unwrap();
    assert_eq!(set.rules.last().unwrap(), "-j DROP");
    let hook = set.hooks[0].matches.join(" ");
    assert_eq!(hook, "-p udp --dport 4789 -m u32 --u32 0>>22&0x3C@12>>8=1000");
    assert!(sites["c"].fw.sets().is_empty());

    let all = members(&[("a", "net"), ("b", "net"), ("c", "net")]);
    sites["a"].agent.update(&id, all).await.unwrap();
    let (a, b, c) = (sites["a"].underlay, sites["b"].underlay, sites["c"].underlay);
    assert_eq!(accepted_at(&sites["a"], 1000), [b, c]);
    assert_eq!(accepted_at(&sites["b"], 1000), [a, c]);
    assert_eq!(accepted_at(&sites["c"], 1000), [a, b]);

    sites["a"].agent.delete(&id).await.unwrap();
    for site in sites.values() {
        assert!(site.fw.sets().is_empty(), "{:?}", site.fw.sets());
    }
}

#[tokio::test]
async fn an_l3_service_forwards_between_its_subnets_only_with_the_mss_clamped() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("one", "10.1.0.0/24").await;
    sites["b"].vim.add("two", "10.2.0.0/24").await;
    let req = request(ServiceType::L3, &[("a", "one"), ("b", "two")]);
    let service = sites["a"].agent.create(req).await.unwrap();
    let a = &sites["a"];
    let set = a.fw.set(ns(a), Table::Mangle, &routed_chain(1000)).expect("the l3 rule set");
    assert_eq!(
        set.rules,
        [
            "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
            "-o vt1000 -s 10.1.0.0/24 -d 10.2.0.0/24 -j RETURN",
            "-i vt1000 -s 10.2.0.0/24 -d 10.1.0.0/24 -j RETURN",
            "-j DROP",
        ]
    );
    let hooks: Vec<String> = set.hooks.iter().map(|h| h.matches.join(" ")).collect();
    assert_eq!(hooks, ["-i vt1000", "-o vt1000"]);
    assert_eq!(accepted_at(a, 1000), [sites["b"].underlay]);
    // The joined networks take the tunnel's MTU, so their containers' packets fit it.
    assert_eq!(a.vim.get("one").unwrap().mtu, 1450);
    assert_eq!(sites["b"].vim.get("two").unwrap().mtu, 1450);

    sites["a"].agent.delete(&service.global_id).await.unwrap();
    for site in sites.values() {
        assert!(site.fw.sets().is_empty(), "{:?}", site.fw.sets());
    }
}

#[tokio::test]
async fn a_refused_rule_undoes_the_create_everywhere() {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("one", "10.1.0.0/24").await;
    sites["b"].vim.add("two", "10.2.0.0/24").await;
    sites["b"].fw.refuse("ARCHIPEL-L3-");
    let req = request(ServiceType::L3, &[("a", "one"), ("b", "two")]);
    let err = sites["a"].agent.create(req).await.unwrap_err();
    assert!(err.chain().contains("firewall"), "{}", err.chain());
    for site in sites.values() {
        assert!(site.fw.sets().is_empty(), "{:?}", site.fw.sets());
        assert!(site.agent.list().unwrap().is_empty());
        assert!(super::no_tunnels(site).await);
    }
}

#[tokio::test]
async fn a_restarted_agent_makes_its_rules_again() -> Result<(), FirewallError> {
    let (sites, _peers) = world(&["a", "b"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let service = sites["a"].agent.create(request(ServiceType::L2, &[("a", "net"), ("b", "net")]));
    service.await.unwrap();
    let b = &sites["b"];
    let before = b.fw.sets();
    use archipel_netlink::iptables::Firewall;
    b.fw.remove(ns(b), Table::Filter, &vxlan_chain(1000)).await?;
    assert!(b.fw.sets().is_empty());
    b.agent.readopt().await.unwrap();
    assert_eq!(b.fw.sets(), before);
    Ok(())
}
