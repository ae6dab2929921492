//! The firewall of a service's data plane, one rule set per service and kind, in chains of
//! Archipel's own: VXLAN of the service's VNI is accepted only from the tunnel's remotes to its
//! local address, and an L3 service forwards only between the subnets it joins, TCP's MSS
//! clamped to the path MTU. Keyed on the tunnel's addresses, whatever carries them.

use archipel_netlink::iptables::{Firewall, FirewallError, Hook, RuleSet, Table};
use archipel_netlink::VXLAN_PORT;
use ipnet::Ipv4Net;

use crate::dataplane::Tunnel;

/// The chain guarding the VXLAN of a VNI (filter table).
pub fn vxlan_chain(vni: u32) -> String {
    format!("ARCHIPEL-VX{vni}")
}

/// The chain filtering what an L3 service forwards (mangle table).
pub fn routed_chain(vni: u32) -> String {
    format!("ARCHIPEL-L3-{vni}")
}

fn words(rule: &str) -> Vec<String> {
    rule.split(' ').map(str::to_owned).collect()
}

/// Only the tunnel's remotes may send VXLAN of its VNI to its local address:
/// `iptables -N ARCHIPEL-VX<VNI>`, `iptables -A ARCHIPEL-VX<VNI> -s REMOTE/32 -d LOCAL/32 -j
/// ACCEPT` for each remote, `iptables -A ARCHIPEL-VX<VNI> -j DROP`, and `iptables -I INPUT 1 -p
/// udp --dport 4789 -m u32 --u32 "0>>22&0x3C@12>>8=VNI" -j ARCHIPEL-VX<VNI>` (the u32 match
/// skips the IPv4 header, whatever its length, and reads the VNI after the 8 bytes of UDP and
/// the 4 of VXLAN flags).
pub fn vxlan_guard(t: &Tunnel) -> RuleSet {
    let local = t.local;
    let mut rules: Vec<String> =
        t.remotes.iter().map(|r| format!("-s {r}/32 -d {local}/32 -j ACCEPT")).collect();
    rules.push("-j DROP".into());
    let matches = format!("-p udp --dport {VXLAN_PORT} -m u32 --u32 0>>22&0x3C@12>>8={}", t.vni);
    RuleSet {
        table: Table::Filter,
        chain: vxlan_chain(t.vni),
        hooks: vec![Hook { builtin: "INPUT".into(), matches: words(&matches) }],
        rules,
    }
}

/// What an L3 service forwards through its transit device `device`: `iptables -t mangle -N
/// ARCHIPEL-L3-<VNI>`, `-A ARCHIPEL-L3-<VNI> -p tcp --tcp-flags SYN,RST SYN -j TCPMSS
/// --clamp-mss-to-pmtu`, for each remote subnet `-A ARCHIPEL-L3-<VNI> -o DEVICE -s LOCAL -d
/// REMOTE -j RETURN` and `-A ARCHIPEL-L3-<VNI> -i DEVICE -s REMOTE -d LOCAL -j RETURN`, then
/// `-A ARCHIPEL-L3-<VNI> -j DROP`; hooked by `iptables -t mangle -I FORWARD 1 -i DEVICE -j
/// ARCHIPEL-L3-<VNI>` and the same with `-o`. In mangle, which the packets meet before the
/// filter table, so that the ACCEPT rules popd puts in filter's FORWARD for its bridges do not
/// let a third network through.
pub fn routed_guard(vni: u32, device: &str, local: Ipv4Net, remotes: &[Ipv4Net]) -> RuleSet {
    let mut rules = vec!["-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu".to_owned()];
    for remote in remotes {
        rules.push(format!("-o {device} -s {local} -d {remote} -j RETURN"));
        rules.push(format!("-i {device} -s {remote} -d {local} -j RETURN"));
    }
    rules.push("-j DROP".into());
    let hook =
        |dir: &str| Hook { builtin: "FORWARD".into(), matches: words(&format!("{dir} {device}")) };
    RuleSet {
        table: Table::Mangle,
        chain: routed_chain(vni),
        hooks: vec![hook("-i"), hook("-o")],
        rules,
    }
}

/// Makes every set, or none: on a refusal the ones made are removed.
pub async fn ensure_all(
    fw: &dyn Firewall,
    ns: Option<&str>,
    sets: &[RuleSet],
) -> Result<(), FirewallError> {
    for (i, set) in sets.iter().enumerate() {
        if let Err(err) = fw.ensure(ns, set).await {
            for made in &sets[..=i] {
                let _ = fw.remove(ns, made.table, &made.chain).await;
            }
            return Err(err);
        }
    }
    Ok(())
}

/// Removes both sets a VNI may have.
pub async fn remove_all(
    fw: &dyn Firewall,
    ns: Option<&str>,
    vni: u32,
) -> Result<(), FirewallError> {
    fw.remove(ns, Table::Filter, &vxlan_chain(vni)).await?;
    fw.remove(ns, Table::Mangle, &routed_chain(vni)).await
}

/// The addresses a remote may send VXLAN from, as the set of [`vxlan_guard`] holds them.
#[cfg(test)]
pub fn accepted(set: &RuleSet) -> Vec<std::net::Ipv4Addr> {
    set.rules
        .iter()
        .filter_map(|r| r.strip_prefix("-s ")?.split_once("/32").map(|(a, _)| a))
        .filter_map(|a| a.parse().ok())
        .collect()
}
