//! The process-wide session cache: one session per (endpoint, username), shared by every client.
//!
//! Generic over the session so that its logic is tested without a server.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// (endpoint, username).
pub(crate) type Key = (String, String);

/// Sessions by key. Each key has its own async lock held while logging in, so that concurrent
/// callers without a session wait for one login instead of each making their own.
#[derive(Debug)]
pub(crate) struct SessionCache<S> {
    slots: Mutex<HashMap<Key, Arc<Slot<S>>>>,
}

#[derive(Debug)]
struct Slot<S> {
    current: tokio::sync::Mutex<Option<Arc<S>>>,
}

impl<S> SessionCache<S> {
    pub(crate) fn new() -> Self {
        SessionCache { slots: Mutex::new(HashMap::new()) }
    }

    fn slot(&self, key: &Key) -> Arc<Slot<S>> {
        // A panic while holding this lock cannot leave the map half-changed.
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        slots
            .entry(key.clone())
            .or_insert_with(|| Arc::new(Slot { current: tokio::sync::Mutex::new(None) }))
            .clone()
    }

    /// The cached session of `key` if `usable` accepts it, else a new one from `login`, which
    /// then replaces it. A failed login leaves the cache as it was.
    pub(crate) async fn get<E, Fut>(
        &self,
        key: &Key,
        usable: impl FnOnce(&S) -> bool,
        login: impl FnOnce() -> Fut,
    ) -> Result<Arc<S>, E>
    where
        Fut: Future<Output = Result<S, E>>,
    {
        let slot = self.slot(key);
        let mut current = slot.current.lock().await;
        if let Some(session) = current.as_ref().filter(|session| usable(session)) {
            return Ok(session.clone());
        }
        let session = Arc::new(login().await?);
        *current = Some(session.clone());
        Ok(session)
    }

    /// Forgets `stale` if it is still the session of `key`. A session that another caller has
    /// already put in its place stays, so a burst of rejected calls makes only one new login.
    pub(crate) async fn invalidate(&self, key: &Key, stale: &Arc<S>) {
        let slot = self.slot(key);
        let mut current = slot.current.lock().await;
        if current.as_ref().is_some_and(|session| Arc::ptr_eq(session, stale)) {
            *current = None;
        }
    }

    /// Takes the session of `key` out of the cache.
    pub(crate) async fn take(&self, key: &Key) -> Option<Arc<S>> {
        self.slot(key).current.lock().await.take()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn key(user: &str) -> Key {
        ("http://pop:60000".to_string(), user.to_string())
    }

    async fn login_counted(
        cache: &SessionCache<String>,
        key: &Key,
        logins: &AtomicUsize,
    ) -> Arc<String> {
        cache
            .get(
                key,
                |_| true,
                || async {
                    let n = logins.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(format!("token-{n}"))
                },
            )
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn clients_of_one_key_share_one_login() {
        let cache = SessionCache::new();
        let logins = AtomicUsize::new(0);
        let a = login_counted(&cache, &key("admin"), &logins).await;
        let b = login_counted(&cache, &key("admin"), &logins).await;
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(logins.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn other_users_get_their_own_session() {
        let cache = SessionCache::new();
        let logins = AtomicUsize::new(0);
        let a = login_counted(&cache, &key("admin"), &logins).await;
        let b = login_counted(&cache, &key("operator"), &logins).await;
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(logins.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn concurrent_callers_wait_for_one_login() {
        let cache = Arc::new(SessionCache::new());
        let logins = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (cache, logins) = (cache.clone(), logins.clone());
                tokio::spawn(async move { login_counted(&cache, &key("admin"), &logins).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(logins.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidating_forces_one_new_login() {
        let cache = SessionCache::new();
        let logins = AtomicUsize::new(0);
        let first = login_counted(&cache, &key("admin"), &logins).await;
        // Two callers saw the same token rejected: only the first drop counts.
        cache.invalidate(&key("admin"), &first).await;
        let second = login_counted(&cache, &key("admin"), &logins).await;
        cache.invalidate(&key("admin"), &first).await;
        let third = login_counted(&cache, &key("admin"), &logins).await;
        assert_eq!(*second, "token-1");
        assert!(Arc::ptr_eq(&second, &third));
        assert_eq!(logins.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_login_keeps_the_cached_session() {
        let cache = SessionCache::new();
        let logins = AtomicUsize::new(0);
        let good = login_counted(&cache, &key("admin"), &logins).await;
        // A caller with other credentials does not accept the cached session and fails to log in.
        let refused = cache
            .get(&key("admin"), |_| false, || async { Err::<String, _>("wrong password") })
            .await;
        assert_eq!(refused.unwrap_err(), "wrong password");
        let again = login_counted(&cache, &key("admin"), &logins).await;
        assert!(Arc::ptr_eq(&good, &again));
    }

    #[tokio::test]
    async fn an_unusable_session_is_replaced_on_success() {
        let cache = SessionCache::new();
        let logins = AtomicUsize::new(0);
        let old = login_counted(&cache, &key("admin"), &logins).await;
        let new = cache
            .get(&key("admin"), |_| false, || async { Ok::<_, ()>("token-new".to_string()) })
            .await
            .unwrap();
        assert!(!Arc::ptr_eq(&old, &new));
        let cached = login_counted(&cache, &key("admin"), &logins).await;
        assert!(Arc::ptr_eq(&new, &cached));
    }

    #[tokio::test]
    async fn take_empties_the_slot() {
        let cache = SessionCache::new();
        let logins = AtomicUsize::new(0);
        let first = login_counted(&cache, &key("admin"), &logins).await;
        let taken = cache.take(&key("admin")).await.unwrap();
        assert!(Arc::ptr_eq(&first, &taken));
        assert!(cache.take(&key("admin")).await.is_none());
    }
}
