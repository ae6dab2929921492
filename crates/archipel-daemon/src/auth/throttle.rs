use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

/// How failed logins are slowed down: the n-th unresolved failure makes the next attempt wait
/// `base * 2^(n-1)`, capped at `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    pub base: Duration,
    pub max: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self { base: Duration::from_millis(200), max: Duration::from_secs(5) }
    }
}

impl ThrottleConfig {
    fn after(&self, failures: u32) -> Duration {
        let factor = 1u32.checked_shl(failures.saturating_sub(1)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }
}

/// Entries idle for longer than this are forgotten when a table grows past `PRUNE_ABOVE`.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
const PRUNE_ABOVE: usize = 4096;
/// A peer failing on more user names than this is guessing across users (password spraying):
/// from then on its attempts also queue on the peer as a whole.
const SPRAY_USERS: usize = 8;
/// Longer user names are keyed by their first bytes, so an attacker cannot grow the table with
/// huge names (the protocols limit them anyway).
const KEY_BYTES: usize = 128;

/// The debt of one key: attempts counted, and when the next one may be answered.
#[derive(Debug)]
struct Slot {
    failures: u32,
    next: Instant,
    last: Instant,
}

impl Slot {
    /// Books an attempt: it is answered at the returned instant, and counted as a failure
    /// until it succeeds, so that concurrent attempts queue behind each other.
    fn book(&mut self, now: Instant, cfg: &ThrottleConfig) -> Instant {
        let at = self.next.max(now);
        self.failures = self.failures.saturating_add(1);
        self.next = at + cfg.after(self.failures);
        self.last = now;
        at
    }
}

fn book<K: std::hash::Hash + Eq>(
    table: &mut HashMap<K, Slot>,
    key: K,
    now: Instant,
    cfg: &ThrottleConfig,
) -> Instant {
    if table.len() > PRUNE_ABOVE {
        table.retain(|_, s| s.next > now || now.duration_since(s.last) < FORGET_AFTER);
    }
    table.entry(key).or_insert(Slot { failures: 0, next: now, last: now }).book(now, cfg)
}

#[derive(Debug, Default)]
struct Tables {
    pairs: HashMap<(String, IpAddr), Slot>,
    peers: HashMap<IpAddr, Slot>,
    /// The user names each peer has failed on (up to `SPRAY_USERS + 1`), and when it last did.
    failed_users: HashMap<IpAddr, (HashSet<String>, Instant)>,
}

/// Slows down password guessing (OWASP's login throttling), per user and peer: an attempt is
/// counted before its password is checked and waits for the attempts booked before it, so
/// guesses sent in parallel take as long as the same guesses one after another. A client
/// logging in as another user from the same address is not slowed by someone else's failures,
/// unless that address guesses across many users.
#[derive(Debug)]
pub struct Throttle {
    cfg: ThrottleConfig,
    tables: Mutex<Tables>,
}

impl Throttle {
    pub fn new(cfg: ThrottleConfig) -> Self {
        Self { cfg, tables: Mutex::new(Tables::default()) }
    }

    /// Waits what this user and peer owe, and counts the attempt. The caller checks the
    /// password next and calls [`Attempt::succeeded`] if it matched; otherwise dropping the
    /// attempt (also when the client goes away while it waits) leaves it counted as a failure.
    pub async fn attempt(&self, user: &str, peer: IpAddr) -> Attempt<'_> {
        let user = key_of(user);
        let at = {
            let mut t = self.lock();
            let now = Instant::now();
            let mut at = book(&mut t.pairs, (user.clone(), peer), now, &self.cfg);
            if t.failed_users.get(&peer).is_some_and(|(u, _)| u.len() > SPRAY_USERS) {
                at = at.max(book(&mut t.peers, peer, now, &self.cfg));
            }
            at
        };
        tokio::time::sleep_until(at).await;
        Attempt { throttle: self, user, peer, succeeded: false }
    }

    /// How long an attempt by this user from this peer would wait now.
    pub fn owed(&self, user: &str, peer: IpAddr) -> Duration {
        let t = self.lock();
        let now = Instant::now();
        let pair = t.pairs.get(&(key_of(user), peer)).map(|s| s.next);
        let all = t.peers.get(&peer).map(|s| s.next);
        pair.max(all).map_or(Duration::ZERO, |next| next.saturating_duration_since(now))
    }

    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn key_of(user: &str) -> String {
    let mut end = user.len().min(KEY_BYTES);
    while !user.is_char_boundary(end) {
        end -= 1;
    }
    user[..end].to_owned()
}

/// One login attempt that has waited its turn.
#[derive(Debug)]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    user: String,
    peer: IpAddr,
    succeeded: bool,
}

impl Attempt<'_> {
    /// The password matched: this user's debt at this peer is forgiven.
    pub fn succeeded(mut self) {
        self.succeeded = true;
        let mut t = self.throttle.lock();
        if let Some((users, _)) = t.failed_users.get_mut(&self.peer) {
            users.remove(&self.user);
        }
        t.pairs.remove(&(std::mem::take(&mut self.user), self.peer));
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if self.succeeded {
            return;
        }
        let mut t = self.throttle.lock();
        let now = Instant::now();
        if t.failed_users.len() > PRUNE_ABOVE {
            t.failed_users.retain(|_, (_, last)| now.duration_since(*last) < FORGET_AFTER);
        }
        let (users, last) =
            t.failed_users.entry(self.peer).or_insert_with(|| (HashSet::new(), now));
        *last = now;
        if users.len() <= SPRAY_USERS {
            users.insert(std::mem::take(&mut self.user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::new(ThrottleConfig {
            base: Duration::from_millis(100),
            max: Duration::from_millis(400),
        })
    }

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[tokio::test(start_paused = true)]
    async fn failures_grow_the_delay_to_its_cap_and_a_success_forgives() {
        let t = throttle();
        let mut owed = Vec::new();
        for _ in 0..5 {
            drop(t.attempt("admin", A).await);
            owed.push(t.owed("admin", A).as_millis());
        }
        assert_eq!(owed, vec![100, 200, 400, 400, 400]);
        assert_eq!(t.owed("admin", B), Duration::ZERO, "another peer owes nothing");
        assert_eq!(t.owed("ops", A), Duration::ZERO, "another user at the same peer neither");
        t.attempt("admin", A).await.succeeded();
        assert_eq!(t.owed("admin", A), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_attempts_queue_behind_each_other() {
        let t = std::sync::Arc::new(throttle());
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let t = t.clone();
            set.spawn(async move {
                let attempt = t.attempt("admin", A).await;
                let waited = start.elapsed();
                drop(attempt);
                waited
            });
        }
        let mut ms: Vec<_> = set.join_all().await.iter().map(Duration::as_millis).collect();
        ms.sort_unstable();
        assert_eq!(ms, vec![0, 100, 300, 700, 1100, 1500]);
        let other = Instant::now();
        t.attempt("ops", A).await.succeeded();
        assert_eq!(other.elapsed(), Duration::ZERO, "another user is not queued behind them");
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_guessing_across_many_users_is_throttled_as_a_whole() {
        let t = throttle();
        for i in 0..=SPRAY_USERS {
            drop(t.attempt(&format!("user{i}"), A).await);
        }
        drop(t.attempt("fresh", A).await);
        assert!(t.owed("another", A) > Duration::ZERO);
        assert_eq!(t.owed("another", B), Duration::ZERO);
    }
}
