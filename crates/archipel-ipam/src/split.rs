use ipnet::Ipv4Net;

use crate::{IpamError, Pool, SubnetPlan};

/// Whether two prefixes share any address.
pub fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Splits the addresses of a plan's pools (by default every host address of the subnet but the
/// gateway) into `blocks` disjoint blocks of equal size, in address order. A block is a list
/// of pools: it is one pool unless it straddles the gateway or a gap between pools. DIMINET
/// hands the first blocks to the sites of an L2 extension and keeps the rest as a reserve
/// granted on demand.
pub fn split_pools(plan: &SubnetPlan, blocks: usize) -> Result<Vec<Vec<Pool>>, IpamError> {
    let cidr = plan.cidr();
    let gateway = plan.gateway();
    let hosts = || plan.pools().iter().flat_map(Pool::iter).filter(move |a| *a != gateway);
    let total = hosts().count() as u64;
    if blocks == 0 || total < blocks as u64 {
        return Err(IpamError::CannotSplit { subnet: cidr, parts: blocks });
    }
    let size = total / blocks as u64;
    let mut hosts = hosts().map(u32::from);
    let mut out = Vec::with_capacity(blocks);
    for _ in 0..blocks {
        let mut pools: Vec<Pool> = Vec::new();
        for addr in hosts.by_ref().take(usize::try_from(size).unwrap_or(usize::MAX)) {
            match pools.last_mut() {
                Some(p) if u32::from(p.last) + 1 == addr => p.last = addr.into(),
                _ => pools.push(Pool { first: addr.into(), last: addr.into() }),
            }
        }
        out.push(pools);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_of_prefixes() {
        let n = |s: &str| s.parse::<Ipv4Net>().unwrap();
        assert!(overlaps(&n("10.1.2.0/23"), &n("10.1.3.0/24")));
        assert!(!overlaps(&n("10.1.2.0/23"), &n("10.1.4.0/23")));
    }

    #[test]
    fn splits_a_slash_24_into_disjoint_blocks() {
        let plan = SubnetPlan::new("10.0.0.0/24".parse().unwrap(), None, vec![]).unwrap();
        let blocks = split_pools(&plan, 4).unwrap();
        assert_eq!(blocks.len(), 4);
        assert_eq!(blocks[0], vec!["10.0.0.2-10.0.0.64".parse().unwrap()]);
        let all: Vec<Pool> = blocks.concat();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(!a.overlaps(b));
            }
        }
    }

    #[test]
    fn splits_only_the_plan_s_pools() {
        let own: Pool = "10.0.0.2-10.0.0.251".parse().unwrap();
        let plan = SubnetPlan::new("10.0.0.0/24".parse().unwrap(), None, vec![own]).unwrap();
        let blocks = split_pools(&plan, 2).unwrap();
        let first: Vec<Pool> = vec!["10.0.0.2-10.0.0.126".parse().unwrap()];
        let second: Vec<Pool> = vec!["10.0.0.127-10.0.0.251".parse().unwrap()];
        assert_eq!(blocks, [first, second]);
    }
}
