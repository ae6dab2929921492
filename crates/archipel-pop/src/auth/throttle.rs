use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::LoginThrottle;

/// Peers idle for longer than this are forgotten when the table grows.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
const PRUNE_ABOVE: usize = 4096;

/// Slows down repeated failed logins from one peer: after n failures, every answer to that
/// peer waits `base * 2^(n-1)`, capped at `max`; a success resets it.
#[derive(Debug)]
pub struct Throttle {
    cfg: LoginThrottle,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(cfg: LoginThrottle) -> Self {
        Self { cfg, failures: Mutex::new(HashMap::new()) }
    }

    /// How long to wait before answering this peer.
    pub fn delay(&self, peer: IpAddr) -> Duration {
        let count = self.lock().get(&peer).map_or(0, |(n, _)| *n);
        if count == 0 {
            return Duration::ZERO;
        }
        let factor = 1u32.checked_shl(count - 1).unwrap_or(u32::MAX);
        self.cfg.base.saturating_mul(factor).min(self.cfg.max)
    }

    pub fn failed(&self, peer: IpAddr) {
        let mut map = self.lock();
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, (_, last)| last.elapsed() < FORGET_AFTER);
        }
        let entry = map.entry(peer).or_insert((0, Instant::now()));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = Instant::now();
    }

    pub fn succeeded(&self, peer: IpAddr) {
        self.lock().remove(&peer);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (u32, Instant)>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_and_resets_per_peer() {
        let t = Throttle::new(LoginThrottle {
            base: Duration::from_millis(100),
            max: Duration::from_millis(500),
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(t.delay(a), Duration::ZERO);
        let mut seen = Vec::new();
        for _ in 0..5 {
            t.failed(a);
            seen.push(t.delay(a).as_millis());
        }
        assert_eq!(seen, vec![100, 200, 400, 500, 500]);
        assert_eq!(t.delay(b), Duration::ZERO);
        for _ in 0..100 {
            t.failed(a);
        }
        assert_eq!(t.delay(a).as_millis(), 500);
        t.succeeded(a);
        assert_eq!(t.delay(a), Duration::ZERO);
    }
}
