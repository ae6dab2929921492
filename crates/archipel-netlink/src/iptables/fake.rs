//! A recording, in-memory [`Firewall`] for the unit tests of the crates that use this one.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use super::{Firewall, FirewallError, RuleSet, Table};

type Key = (String, Table, String);

/// Keeps the sets by namespace (`-` for the process's own), table and chain; clones share
/// them. A chain named with [`FakeFirewall::refuse`]'s prefix is refused, as iptables refuses
/// a rule.
#[derive(Debug, Clone, Default)]
pub struct FakeFirewall {
    sets: Arc<Mutex<BTreeMap<Key, RuleSet>>>,
    refused: Arc<Mutex<Option<String>>>,
}

fn key(ns: Option<&str>, table: Table, chain: &str) -> Key {
    (ns.unwrap_or("-").to_owned(), table, chain.to_owned())
}

impl FakeFirewall {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every set, with its namespace.
    pub fn sets(&self) -> Vec<(String, RuleSet)> {
        let sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.iter().map(|((ns, _, _), set)| (ns.clone(), set.clone())).collect()
    }

    /// The set of `chain` in `ns`, if any.
    pub fn set(&self, ns: Option<&str>, table: Table, chain: &str) -> Option<RuleSet> {
        let sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.get(&key(ns, table, chain)).cloned()
    }

    /// From now on, refuses the chains whose name starts with `prefix`.
    pub fn refuse(&self, prefix: &str) {
        *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = Some(prefix.to_owned());
    }
}

#[async_trait]
impl Firewall for FakeFirewall {
    async fn ensure(&self, ns: Option<&str>, set: &RuleSet) -> Result<(), FirewallError> {
        let refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if refused.is_some_and(|p| set.chain.starts_with(&p)) {
            return Err(FirewallError::Refused {
                op: format!("iptables-restore ({})", set.chain),
                stderr: "refused by the fake".into(),
            });
        }
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.insert(key(ns, set.table, &set.chain), set.clone());
        Ok(())
    }

    async fn remove(
        &self,
        ns: Option<&str>,
        table: Table,
        chain: &str,
    ) -> Result<(), FirewallError> {
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.remove(&key(ns, table, chain));
        Ok(())
    }
}
