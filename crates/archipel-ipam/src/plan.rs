use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::{IpamError, Pool};

/// A subnet with its gateway and the pools that addresses are handed out from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetPlan {
    cidr: Ipv4Net,
    gateway: Ipv4Addr,
    pools: Vec<Pool>,
}

impl SubnetPlan {
    /// Checks and completes a plan: the gateway defaults to the subnet's first host, the pools
    /// to every host address but the gateway. Pools must lie inside the subnet, be disjoint and
    /// hold neither the network nor the broadcast address.
    pub fn new(
        cidr: Ipv4Net,
        gateway: Option<Ipv4Addr>,
        pools: Vec<Pool>,
    ) -> Result<Self, IpamError> {
        let cidr = cidr.trunc();
        if cidr.prefix_len() > 30 {
            return Err(IpamError::SubnetTooSmall(cidr));
        }
        let gateway = gateway.unwrap_or_else(|| first_host(&cidr));
        if !cidr.contains(&gateway) {
            return Err(IpamError::OutsideSubnet { addr: gateway, subnet: cidr });
        }
        if gateway == cidr.network() || gateway == cidr.broadcast() {
            return Err(IpamError::Reserved { addr: gateway, subnet: cidr });
        }
        let pools = if pools.is_empty() { default_pools(&cidr, gateway) } else { pools };
        let mut sorted = pools.clone();
        sorted.sort();
        for p in &sorted {
            let inside = cidr.contains(&p.first) && cidr.contains(&p.last);
            if !inside || p.contains(cidr.network()) || p.contains(cidr.broadcast()) {
                return Err(IpamError::PoolOutsideSubnet { pool: *p, subnet: cidr });
            }
        }
        for w in sorted.windows(2) {
            if w[0].overlaps(&w[1]) {
                return Err(IpamError::PoolsOverlap { a: w[0], b: w[1] });
            }
        }
        Ok(Self { cidr, gateway, pools: sorted })
    }

    pub fn cidr(&self) -> Ipv4Net {
        self.cidr
    }

    pub fn gateway(&self) -> Ipv4Addr {
        self.gateway
    }

    pub fn pools(&self) -> &[Pool] {
        &self.pools
    }

    /// Whether an address may be held by a container: inside the subnet, and neither the
    /// network, the broadcast nor the gateway address.
    pub fn check_host(&self, addr: Ipv4Addr) -> Result<(), IpamError> {
        if !self.cidr.contains(&addr) {
            return Err(IpamError::OutsideSubnet { addr, subnet: self.cidr });
        }
        if addr == self.cidr.network() || addr == self.cidr.broadcast() || addr == self.gateway {
            return Err(IpamError::Reserved { addr, subnet: self.cidr });
        }
        Ok(())
    }

    /// The same subnet and gateway with other pools, checked like [`SubnetPlan::new`].
    pub fn with_pools(&self, pools: Vec<Pool>) -> Result<Self, IpamError> {
        if pools.is_empty() {
            return Self::new(self.cidr, Some(self.gateway), Vec::new());
        }
        Self::new(self.cidr, Some(self.gateway), pools)
    }
}

fn first_host(cidr: &Ipv4Net) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(cidr.network()) + 1)
}

fn default_pools(cidr: &Ipv4Net, gateway: Ipv4Addr) -> Vec<Pool> {
    let first = u32::from(cidr.network()) + 1;
    let last = u32::from(cidr.broadcast()) - 1;
    let gw = u32::from(gateway);
    let mut pools = Vec::new();
    if gw > first {
        pools.push(Pool { first: first.into(), last: (gw - 1).into() });
    }
    if gw < last {
        pools.push(Pool { first: (gw + 1).into(), last: last.into() });
    }
    pools
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn defaults() {
        let p = SubnetPlan::new(net("172.16.0.0/16"), None, vec![]).unwrap();
        assert_eq!(p.gateway(), Ipv4Addr::new(172, 16, 0, 1));
        assert_eq!(p.pools(), &["172.16.0.2-172.16.255.254".parse().unwrap()]);
    }

    #[test]
    fn gateway_in_the_middle_splits_default_pool() {
        let p =
            SubnetPlan::new(net("10.0.0.0/29"), Some("10.0.0.3".parse().unwrap()), vec![]).unwrap();
        assert_eq!(p.pools().len(), 2);
        assert_eq!(p.pools().iter().map(Pool::len).sum::<u64>(), 5);
    }

    #[test]
    fn rejects_bad_plans() {
        let gw = |s: &str| Some(s.parse().unwrap());
        assert!(SubnetPlan::new(net("10.0.0.0/24"), gw("10.0.1.1"), vec![]).is_err());
        assert!(SubnetPlan::new(net("10.0.0.0/24"), gw("10.0.0.255"), vec![]).is_err());
        assert!(SubnetPlan::new(net("10.0.0.0/31"), None, vec![]).is_err());
        let outside = vec!["10.0.0.200-10.0.1.3".parse().unwrap()];
        assert!(SubnetPlan::new(net("10.0.0.0/24"), None, outside).is_err());
        let overlapping =
            vec!["10.0.0.10-10.0.0.20".parse().unwrap(), "10.0.0.20-10.0.0.30".parse().unwrap()];
        assert!(SubnetPlan::new(net("10.0.0.0/24"), None, overlapping).is_err());
    }
}
