//! Property tests: no address is ever handed out twice, and split blocks never overlap.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::HashSet;
use std::net::Ipv4Addr;

use archipel_ipam::{split_pools, Allocator, IpamError, SubnetPlan};
use proptest::prelude::*;

fn plan(prefix: u8) -> SubnetPlan {
    SubnetPlan::new(format!("10.20.0.0/{prefix}").parse().unwrap(), None, vec![]).unwrap()
}

proptest! {
    #[test]
    fn never_hands_out_an_address_twice(
        prefix in 22u8..=29,
        ops in prop::collection::vec((any::<bool>(), any::<u16>()), 1..400),
    ) {
        let mut alloc = Allocator::new(plan(prefix));
        let mut held: Vec<Ipv4Addr> = Vec::new();
        for (take, pick) in ops {
            if take || held.is_empty() {
                match alloc.allocate(None) {
                    Ok(addr) => {
                        prop_assert!(!held.contains(&addr));
                        prop_assert!(alloc.plan().check_host(addr).is_ok());
                        held.push(addr);
                    }
                    Err(IpamError::Exhausted { .. }) => {
                        prop_assert_eq!(alloc.free_in_pools(), 0);
                    }
                    Err(e) => prop_assert!(false, "unexpected error {e}"),
                }
            } else {
                let addr = held.swap_remove(pick as usize % held.len());
                prop_assert!(alloc.release(addr));
            }
        }
        let unique: HashSet<_> = held.iter().collect();
        prop_assert_eq!(unique.len(), held.len());
    }

    #[test]
    fn split_blocks_are_disjoint_and_inside(prefix in 20u8..=29, blocks in 1usize..24) {
        let plan = plan(prefix);
        let Ok(split) = split_pools(&plan, blocks) else { return Ok(()); };
        prop_assert_eq!(split.len(), blocks);
        let pools: Vec<_> = split.concat();
        for (i, a) in pools.iter().enumerate() {
            prop_assert!(plan.check_host(a.first).is_ok() && plan.check_host(a.last).is_ok());
            for b in &pools[i + 1..] {
                prop_assert!(!a.overlaps(b));
            }
        }
        // Every block is usable as the pools of a site's plan.
        for block in split {
            prop_assert!(plan.with_pools(block).is_ok());
        }
    }
}
