//! The IPAM against a naive model (issue 12, fault suite point 5): prefixes and pools as plain
//! `u32` ranges, a plan's host addresses and a site's used addresses as sets. 10,000 random
//! cases per property; any difference from the model is a failure with the case that shows it.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use archipel_ipam::{overlaps, split_pools, Allocator, IpamError, Pool, SubnetPlan};
use ipnet::Ipv4Net;
use proptest::prelude::*;

const CASES: u32 = 10_000;

/// A prefix as the range of addresses it covers.
fn range(net: &Ipv4Net) -> (u32, u32) {
    (u32::from(net.network()), u32::from(net.broadcast()))
}

fn intersect(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// Prefixes near each other (a shared base, small offsets), so that overlaps are common.
fn near_prefix(base: u32) -> impl Strategy<Value = Ipv4Net> {
    (0u32..4096, 0u8..=32).prop_map(move |(offset, len)| {
        Ipv4Net::new(Ipv4Addr::from(base.wrapping_add(offset)), len).unwrap().trunc()
    })
}

fn pool_in(first: u32, span: u32) -> impl Strategy<Value = Pool> {
    (0..span, 0..span).prop_map(move |(a, b)| {
        let (lo, hi) = (first + a.min(b), first + a.max(b));
        Pool { first: lo.into(), last: hi.into() }
    })
}

/// The host addresses of a plan in the model: the subnet but network, broadcast and gateway.
fn hosts(plan: &SubnetPlan) -> Vec<u32> {
    let (net, bcast) = range(&plan.cidr());
    let gw = u32::from(plan.gateway());
    (net + 1..bcast).filter(|a| *a != gw).collect()
}

/// The model's next automatic address: the lowest free host address inside a pool.
fn model_next(plan: &SubnetPlan, used: &BTreeSet<u32>) -> Option<u32> {
    let hosts: BTreeSet<u32> = hosts(plan).into_iter().collect();
    plan.pools()
        .iter()
        .flat_map(|p| u32::from(p.first)..=u32::from(p.last))
        .find(|a| hosts.contains(a) && !used.contains(a))
}

#[derive(Debug, Clone)]
enum Op {
    Next,
    Pin(u32),
    Release(u32),
}

fn ops(span: u32) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(Op::Next),
            1 => (0..span).prop_map(Op::Pin),
            2 => (0..span).prop_map(Op::Release),
        ],
        1..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn prefix_overlap_is_range_intersection(
        (a, b) in any::<u32>().prop_flat_map(|base| (near_prefix(base), near_prefix(base))),
    ) {
        prop_assert_eq!(overlaps(&a, &b), intersect(range(&a), range(&b)), "{} {}", a, b);
        prop_assert_eq!(overlaps(&a, &b), overlaps(&b, &a));
    }

    #[test]
    fn pool_overlap_and_membership_are_the_ranges(
        a in pool_in(0x0a00_0000, 64),
        b in pool_in(0x0a00_0000, 64),
        probe in 0x0a00_0000u32..0x0a00_0040,
    ) {
        let (ra, rb) = ((u32::from(a.first), u32::from(a.last)), (u32::from(b.first), u32::from(b.last)));
        prop_assert_eq!(a.overlaps(&b), intersect(ra, rb));
        prop_assert_eq!(a.contains(probe.into()), (ra.0..=ra.1).contains(&probe));
        prop_assert_eq!(a.len(), u64::from(ra.1 - ra.0) + 1);
        prop_assert_eq!(a.iter().count() as u64, a.len());
    }

    #[test]
    fn a_plan_is_accepted_exactly_when_the_model_allows_it(
        len in 24u8..=32,
        gw in prop::option::of(0u32..300),
        pools in prop::collection::vec(pool_in(0x0a14_0000, 300), 0..4),
    ) {
        let cidr = Ipv4Net::new(Ipv4Addr::new(10, 20, 0, 0), len).unwrap();
        let (net, bcast) = range(&cidr);
        let gateway = gw.map(|g| Ipv4Addr::from(0x0a14_0000 + g));
        let plan = SubnetPlan::new(cidr, gateway, pools.clone());
        let gw = gateway.map_or(net + 1, u32::from);
        let inside = |a: u32| (net..=bcast).contains(&a);
        let model_ok = len <= 30
            && inside(gw) && gw != net && gw != bcast
            && pools.iter().all(|p| {
                let (f, l) = (u32::from(p.first), u32::from(p.last));
                inside(f) && inside(l) && !(f..=l).contains(&net) && !(f..=l).contains(&bcast)
            })
            && pools.iter().enumerate().all(|(i, p)| pools[i + 1..].iter().all(|q| !p.overlaps(q)));
        prop_assert_eq!(plan.is_ok(), model_ok, "{:?} gw {:?} pools {:?}: {:?}", cidr, gateway, pools, plan);
        if let Ok(plan) = plan {
            // Default pools are every host address but the gateway.
            if pools.is_empty() {
                let pooled: Vec<u32> = plan.pools().iter().flat_map(|p| u32::from(p.first)..=u32::from(p.last)).collect();
                prop_assert_eq!(pooled, hosts(&plan));
            }
        }
    }

    #[test]
    fn split_blocks_partition_the_hosts_in_order(len in 22u8..=30, blocks in 0usize..40, gw in 1u32..16) {
        let cidr = Ipv4Net::new(Ipv4Addr::new(10, 20, 0, 0), len).unwrap();
        // Any address but the network and the broadcast one may be the gateway.
        let gw = gw % ((1u32 << (32 - len)) - 2) + 1;
        let plan = SubnetPlan::new(cidr, Some(Ipv4Addr::from(0x0a14_0000 + gw)), vec![]).unwrap();
        let hosts = hosts(&plan);
        let split = split_pools(&plan, blocks);
        prop_assert_eq!(split.is_ok(), blocks >= 1 && hosts.len() >= blocks, "{:?}", split);
        let Ok(split) = split else { return Ok(()); };
        let size = hosts.len() / blocks;
        prop_assert_eq!(split.len(), blocks);
        let mut seen = Vec::new();
        for block in &split {
            let addrs: Vec<u32> = block.iter().flat_map(|p| u32::from(p.first)..=u32::from(p.last)).collect();
            prop_assert_eq!(addrs.len(), size);
            seen.extend(addrs);
        }
        // The blocks are the first `blocks * size` host addresses, in order, each once.
        prop_assert_eq!(&seen[..], &hosts[..blocks * size]);
    }

    #[test]
    fn the_allocator_hands_out_what_the_model_does(len in 26u8..=29, script in ops(80)) {
        let plan = SubnetPlan::new(Ipv4Net::new(Ipv4Addr::new(10, 20, 0, 0), len).unwrap(), None, vec![]).unwrap();
        let host_set: BTreeSet<u32> = hosts(&plan).into_iter().collect();
        let mut alloc = Allocator::new(plan.clone());
        let mut used = BTreeSet::new();
        for op in script {
            match op {
                Op::Next => {
                    let got = alloc.allocate(None);
                    match model_next(&plan, &used) {
                        Some(want) => {
                            prop_assert_eq!(got.unwrap(), Ipv4Addr::from(want));
                            used.insert(want);
                        }
                        None => prop_assert!(matches!(got, Err(IpamError::Exhausted { .. })), "{:?}", got),
                    }
                }
                Op::Pin(offset) => {
                    let addr = 0x0a14_0000 + offset;
                    let got = alloc.allocate(Some(addr.into()));
                    let model_ok = host_set.contains(&addr) && !used.contains(&addr);
                    prop_assert_eq!(got.is_ok(), model_ok, "{:?} for {}", got, Ipv4Addr::from(addr));
                    if model_ok {
                        used.insert(addr);
                    }
                }
                Op::Release(offset) => {
                    let addr = 0x0a14_0000 + offset;
                    prop_assert_eq!(alloc.release(addr.into()), used.remove(&addr));
                }
            }
            let held: BTreeSet<u32> = alloc.used().map(u32::from).collect();
            prop_assert_eq!(&held, &used);
        }
    }
}
