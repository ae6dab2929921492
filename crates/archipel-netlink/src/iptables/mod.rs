//! Archipel's own iptables chains: a [`RuleSet`] is one chain with its rules and the rules of
//! built-in chains that jump to it, so that a set is made, replaced and removed as a whole.
//! [`Iptables`] runs the `iptables` commands (nft-backed on Debian; there is no netlink API for
//! iptables rules), `FakeFirewall` (feature `testing`) records the sets.

#[cfg(any(test, feature = "testing"))]
mod fake;
mod real;

use std::fmt;
use std::io;

use async_trait::async_trait;

use crate::error::NetlinkError;

#[cfg(any(test, feature = "testing"))]
pub use fake::FakeFirewall;
pub use real::Iptables;

/// The iptables tables Archipel writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Filter,
    Mangle,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Filter => "filter",
            Table::Mangle => "mangle",
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule of a built-in chain that sends the packets it matches into a set's chain:
/// `iptables -t TABLE -I BUILTIN 1 MATCH -j CHAIN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub builtin: String,
    pub matches: Vec<String>,
}

/// A chain of Archipel's own, its rules in order (`iptables -t TABLE -A CHAIN RULE`, each rule
/// as one line of iptables-restore reads it after `-A CHAIN`), and the hooks that jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    pub table: Table,
    pub chain: String,
    pub hooks: Vec<Hook>,
    pub rules: Vec<String>,
}

/// What can go wrong writing rules.
#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    #[error("`{op}` could not run (is iptables installed?)")]
    Spawn {
        op: String,
        #[source]
        source: io::Error,
    },
    #[error("`{op}` failed: {stderr}")]
    Refused { op: String, stderr: String },
    #[error("cannot enter the namespace")]
    Netns(#[from] NetlinkError),
}

/// Rule sets in a namespace (`None`: the process's own). Both operations converge: they adopt
/// what exists, so a daemon that restarts replays them.
#[async_trait]
pub trait Firewall: Send + Sync {
    /// Makes the set exactly `set`, in one `iptables-restore --noflush` transaction so the
    /// chain is never seen half-written: `-D BUILTIN ...` for every rule that jumps to CHAIN
    /// (as `iptables -t TABLE -S` lists them), `:CHAIN` (made, or flushed when it exists),
    /// `-A CHAIN RULE` for each rule and `-I BUILTIN 1 MATCH -j CHAIN` for each hook.
    async fn ensure(&self, ns: Option<&str>, set: &RuleSet) -> Result<(), FirewallError>;
    /// Removes a set: `iptables -t TABLE -D BUILTIN ...` for every rule that jumps to CHAIN
    /// (as `iptables -S` lists them), `-F CHAIN` and `-X CHAIN`, in one transaction. No chain
    /// is fine.
    async fn remove(
        &self,
        ns: Option<&str>,
        table: Table,
        chain: &str,
    ) -> Result<(), FirewallError>;
}
