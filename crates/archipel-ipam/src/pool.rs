use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::IpamError;

/// An inclusive range of IPv4 addresses, written `FIRST-LAST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pool {
    pub first: Ipv4Addr,
    pub last: Ipv4Addr,
}

impl Pool {
    pub fn new(first: Ipv4Addr, last: Ipv4Addr) -> Result<Self, IpamError> {
        if first > last {
            return Err(IpamError::InvalidPool(format!("{first}-{last}")));
        }
        Ok(Self { first, last })
    }

    /// How many addresses the pool holds.
    pub fn len(&self) -> u64 {
        u64::from(u32::from(self.last)) - u64::from(u32::from(self.first)) + 1
    }

    /// Never true: a pool holds at least its first address. Present for clippy's `len` rule.
    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        self.first <= addr && addr <= self.last
    }

    pub fn overlaps(&self, other: &Pool) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    /// The addresses of the pool, in order.
    pub fn iter(&self) -> impl Iterator<Item = Ipv4Addr> {
        (u32::from(self.first)..=u32::from(self.last)).map(Ipv4Addr::from)
    }

    /// What is left of the pool without the addresses of `other`: none, one or two pools.
    pub fn without(&self, other: &Pool) -> Vec<Pool> {
        if !self.overlaps(other) {
            return vec![*self];
        }
        let mut left = Vec::new();
        if self.first < other.first {
            let last = Ipv4Addr::from(u32::from(other.first) - 1);
            left.push(Pool { first: self.first, last });
        }
        if other.last < self.last {
            let first = Ipv4Addr::from(u32::from(other.last) + 1);
            left.push(Pool { first, last: self.last });
        }
        left
    }
}

impl fmt::Display for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

impl FromStr for Pool {
    type Err = IpamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || IpamError::InvalidPool(s.to_owned());
        let (first, last) = s.split_once('-').ok_or_else(bad)?;
        let first = first.trim().parse().map_err(|_| bad())?;
        let last = last.trim().parse().map_err(|_| bad())?;
        Pool::new(first, last).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_without_a_range_keeps_what_lies_around_it() {
        let pool: Pool = "10.0.0.2-10.0.0.254".parse().unwrap();
        let top: Pool = "10.0.0.252-10.0.0.255".parse().unwrap();
        assert_eq!(pool.without(&top), vec!["10.0.0.2-10.0.0.251".parse().unwrap()]);
        let middle: Pool = "10.0.0.10-10.0.0.20".parse().unwrap();
        let split: Vec<Pool> = ["10.0.0.2-10.0.0.9", "10.0.0.21-10.0.0.254"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        assert_eq!(pool.without(&middle), split);
        assert_eq!(middle.without(&pool), Vec::new());
        assert_eq!(middle.without(&top), vec![middle]);
    }

    #[test]
    fn parses_and_prints() {
        let p: Pool = "10.0.0.10-10.0.0.20".parse().unwrap();
        assert_eq!(p.len(), 11);
        assert_eq!(p.to_string(), "10.0.0.10-10.0.0.20");
        assert!("10.0.0.20-10.0.0.10".parse::<Pool>().is_err());
        assert!("10.0.0.1".parse::<Pool>().is_err());
        assert!("a-b".parse::<Pool>().is_err());
    }

    #[test]
    fn overlap() {
        let a: Pool = "10.0.0.1-10.0.0.5".parse().unwrap();
        let b: Pool = "10.0.0.5-10.0.0.9".parse().unwrap();
        let c: Pool = "10.0.0.6-10.0.0.9".parse().unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
    }
}
