//! The CIDR and pool parsers and the subnet plan (`--subnet`, `--gateway`, `--pool` of a Pop
//! network, and the master's split of an L2 extension): lines of text, the first a CIDR, the
//! second a gateway (or empty), the rest pools `FIRST-LAST`. What parses must give a plan whose
//! pools lie in the subnet, are disjoint and hold neither the gateway nor the network and
//! broadcast addresses; its split into blocks must keep to the pools' addresses.
#![no_main]

use std::net::Ipv4Addr;

use archipel_ipam::{split_pools, Pool, SubnetPlan};
use ipnet::Ipv4Net;
use libfuzzer_sys::fuzz_target;

/// Splitting walks every host address: larger subnets are planned, not split, so that one
/// input stays fast.
const SPLIT_UP_TO_HOSTS: u32 = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.lines();
    let Some(Ok(cidr)) = lines.next().map(str::parse::<Ipv4Net>) else { return };
    let gateway = match lines.next().map(str::trim) {
        None | Some("") => None,
        Some(g) => match g.parse::<Ipv4Addr>() {
            Ok(g) => Some(g),
            Err(_) => return,
        },
    };
    let mut pools = Vec::new();
    for line in lines {
        match line.parse::<Pool>() {
            Ok(pool) => {
                assert!(pool.first <= pool.last, "{line} parsed as {pool}");
                pools.push(pool);
            }
            Err(_) => return,
        }
    }
    let Ok(plan) = SubnetPlan::new(cidr, gateway, pools) else { return };
    let net = plan.cidr();
    let pools = plan.pools();
    for (i, p) in pools.iter().enumerate() {
        assert!(net.contains(&p.first) && net.contains(&p.last), "{p} outside {net}");
        assert!(!p.contains(net.network()) && !p.contains(net.broadcast()), "{p} in {net}");
        assert!(pools[i + 1..].iter().all(|q| !p.overlaps(q)), "{p} overlaps in {pools:?}");
    }
    if net.prefix_len() < 16 || u32::from(net.broadcast()) - u32::from(net.network()) > SPLIT_UP_TO_HOSTS {
        return;
    }
    let blocks = usize::from(data.len() as u8 % 64);
    if let Ok(split) = split_pools(&plan, blocks) {
        assert_eq!(split.len(), blocks);
        let handed: Vec<Pool> = split.into_iter().flatten().collect();
        for (i, p) in handed.iter().enumerate() {
            assert!(!p.contains(plan.gateway()), "block {p} holds the gateway");
            assert!(net.contains(&p.first) && net.contains(&p.last), "block {p} outside {net}");
            assert!(handed[i + 1..].iter().all(|q| !p.overlaps(q)), "blocks overlap at {p}");
        }
    }
});
