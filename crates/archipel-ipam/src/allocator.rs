use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::{IpamError, Pool, SubnetPlan};

/// The addresses handed out on one subnet. The owner serialises access (`&mut self`), which is
/// what makes double booking impossible under any concurrency.
#[derive(Debug, Clone)]
pub struct Allocator {
    plan: SubnetPlan,
    used: BTreeSet<Ipv4Addr>,
}

impl Allocator {
    pub fn new(plan: SubnetPlan) -> Self {
        Self { plan, used: BTreeSet::new() }
    }

    pub fn plan(&self) -> &SubnetPlan {
        &self.plan
    }

    /// Hands out `wanted` if it is a free host address of the subnet (it need not be in a
    /// pool: an operator may pin any address), else the lowest free address of the pools.
    pub fn allocate(&mut self, wanted: Option<Ipv4Addr>) -> Result<Ipv4Addr, IpamError> {
        let addr = match wanted {
            Some(addr) => {
                self.plan.check_host(addr)?;
                if self.used.contains(&addr) {
                    return Err(IpamError::Taken(addr));
                }
                addr
            }
            None => self
                .next_free()
                .ok_or_else(|| IpamError::Exhausted { pools: pools_text(self.plan.pools()) })?,
        };
        self.used.insert(addr);
        Ok(addr)
    }

    /// Returns an address to its pool; false if it was not handed out.
    pub fn release(&mut self, addr: Ipv4Addr) -> bool {
        self.used.remove(&addr)
    }

    pub fn is_used(&self, addr: Ipv4Addr) -> bool {
        self.used.contains(&addr)
    }

    pub fn used(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.used.iter().copied()
    }

    /// Free addresses left in the pools.
    pub fn free_in_pools(&self) -> u64 {
        let total: u64 = self.plan.pools().iter().map(Pool::len).sum();
        let used_in_pools =
            self.used.iter().filter(|a| self.plan.pools().iter().any(|p| p.contains(**a))).count()
                as u64;
        total - used_in_pools
    }

    /// Replaces the pools; every address in use must stay inside the subnet. An address in
    /// use that the pools held and the new ones do not is refused, so that a pool handed to
    /// another site is never used here. One held outside the pools all along (by the runtime
    /// itself, say) stays outside: the new pools are given without it.
    pub fn set_pools(&mut self, pools: Vec<Pool>) -> Result<(), IpamError> {
        let inside = |pools: &[Pool], a: Ipv4Addr| pools.iter().any(|p| p.contains(a));
        let mut carved = pools.clone();
        for &addr in self.used.iter().filter(|a| !inside(self.plan.pools(), **a)) {
            let held = Pool { first: addr, last: addr };
            carved = carved.iter().flat_map(|p| p.without(&held)).collect();
        }
        // Nothing left (every address held): the pools as given, whose held addresses are
        // never handed out anyway.
        let plan = self.plan.with_pools(if carved.is_empty() { pools } else { carved })?;
        if let Some(addr) =
            self.used.iter().find(|a| inside(self.plan.pools(), **a) && !inside(plan.pools(), **a))
        {
            return Err(IpamError::InUseOutsidePools { addr: *addr });
        }
        self.plan = plan;
        Ok(())
    }

    /// Adds pools to the plan (a block granted later), keeping them disjoint.
    pub fn add_pools(&mut self, pools: &[Pool]) -> Result<(), IpamError> {
        let mut all = self.plan.pools().to_vec();
        all.extend_from_slice(pools);
        self.plan = self.plan.with_pools(all)?;
        Ok(())
    }

    fn next_free(&self) -> Option<Ipv4Addr> {
        self.plan
            .pools()
            .iter()
            .flat_map(|p| {
                // Skip whole runs of used addresses through the ordered set instead of probing
                // one by one: a nearly full /16 stays fast.
                let mut candidate = u32::from(p.first);
                let last = u32::from(p.last);
                std::iter::from_fn(move || {
                    while candidate <= last {
                        let addr = Ipv4Addr::from(candidate);
                        candidate = candidate.checked_add(1)?;
                        if !self.used.contains(&addr) && self.plan.check_host(addr).is_ok() {
                            return Some(addr);
                        }
                    }
                    None
                })
            })
            .next()
    }
}

fn pools_text(pools: &[Pool]) -> String {
    pools.iter().map(Pool::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(cidr: &str) -> Allocator {
        Allocator::new(SubnetPlan::new(cidr.parse().unwrap(), None, vec![]).unwrap())
    }

    #[test]
    fn hands_out_lowest_then_exhausts() {
        let mut a = alloc("10.0.0.0/29");
        let got: Vec<_> = (0..5).map(|_| a.allocate(None).unwrap()).collect();
        assert_eq!(got.first(), Some(&"10.0.0.2".parse().unwrap()));
        assert_eq!(got.last(), Some(&"10.0.0.6".parse().unwrap()));
        assert!(matches!(a.allocate(None), Err(IpamError::Exhausted { .. })));
        assert!(a.release("10.0.0.4".parse().unwrap()));
        assert_eq!(a.allocate(None).unwrap(), "10.0.0.4".parse::<Ipv4Addr>().unwrap());
    }

    #[test]
    fn wanted_address_rules() {
        let mut a = alloc("10.0.0.0/24");
        let x = "10.0.0.50".parse().unwrap();
        assert_eq!(a.allocate(Some(x)).unwrap(), x);
        assert_eq!(a.allocate(Some(x)), Err(IpamError::Taken(x)));
        assert!(matches!(
            a.allocate(Some("10.0.1.1".parse().unwrap())),
            Err(IpamError::OutsideSubnet { .. })
        ));
        assert!(matches!(
            a.allocate(Some("10.0.0.1".parse().unwrap())),
            Err(IpamError::Reserved { .. })
        ));
    }

    #[test]
    fn set_pools_keeps_used_addresses_inside() {
        let mut a = alloc("10.0.0.0/24");
        a.allocate(Some("10.0.0.100".parse().unwrap())).unwrap();
        assert!(a.set_pools(vec!["10.0.0.2-10.0.0.50".parse().unwrap()]).is_err());
        a.set_pools(vec!["10.0.0.90-10.0.0.110".parse().unwrap()]).unwrap();
        assert_eq!(a.free_in_pools(), 20);
        a.add_pools(&["10.0.0.2-10.0.0.9".parse().unwrap()]).unwrap();
        assert_eq!(a.allocate(None).unwrap(), "10.0.0.2".parse::<Ipv4Addr>().unwrap());
    }

    #[test]
    fn an_address_held_outside_the_pools_all_along_does_not_hold_them_back() {
        let plan = SubnetPlan::new(
            "10.0.0.0/24".parse().unwrap(),
            None,
            vec!["10.0.0.2-10.0.0.251".parse().unwrap()],
        )
        .unwrap();
        let mut a = Allocator::new(plan);
        a.allocate(Some("10.0.0.252".parse().unwrap())).unwrap();
        a.set_pools(vec!["10.0.0.2-10.0.0.43".parse().unwrap()]).unwrap();
        assert!(a.is_used("10.0.0.252".parse().unwrap()));
        // The whole subnet given back: the held address stays out of the pools.
        a.set_pools(vec!["10.0.0.2-10.0.0.254".parse().unwrap()]).unwrap();
        let pools: Vec<Pool> = ["10.0.0.2-10.0.0.251", "10.0.0.253-10.0.0.254"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        assert_eq!(a.plan().pools(), pools);
    }
}
