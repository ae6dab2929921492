//! Users, logins and sessions. Passwords are kept only as argon2id PHC strings; a session
//! token is 256 random bits shown once to the client and stored only as its SHA-256.

mod password;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use archipel_daemon::auth::{new_token, token_hash, verify_password, Throttle};

pub use password::User;

use archipel_daemon::metrics::Counter;

use crate::config::LoginThrottle;
use crate::error::PopError;
use crate::model::now_unix;
use crate::store::{Session, Store};

/// What is wrong with the users or their settings.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no users are configured: run `archipel popd init` or set POPD_AUTH=user:password")]
    NoUsers,
    #[error("user {0} is configured twice")]
    DuplicateUser(String),
    #[error("the password hash of user {user} is unusable")]
    BadHash {
        user: String,
        #[source]
        source: archipel_daemon::auth::AuthError,
    },
    #[error(transparent)]
    Hash(#[from] archipel_daemon::auth::AuthError),
    #[error("POPD_AUTH must be user:password with a non-empty user and password")]
    BadAuthEnv,
}

/// Logins and sessions of one popd.
#[derive(Debug)]
pub struct Auth {
    users: HashMap<String, String>,
    /// A real user's hash that unknown user names are verified against, so that a wrong user
    /// costs the same time as a wrong password; the result is ignored.
    decoy: String,
    store: Arc<Store>,
    ttl: Duration,
    throttle: Throttle,
    /// Refused logins, for the metrics.
    failed: Counter,
}

impl Auth {
    pub fn new(
        users: Vec<User>,
        store: Arc<Store>,
        ttl: Duration,
        throttle: LoginThrottle,
    ) -> Result<Self, AuthError> {
        let mut map = HashMap::new();
        for user in users {
            user.check()?;
            if map.insert(user.name.clone(), user.password_hash).is_some() {
                return Err(AuthError::DuplicateUser(user.name));
            }
        }
        let decoy = map.values().next().cloned().ok_or(AuthError::NoUsers)?;
        Ok(Self {
            users: map,
            decoy,
            store,
            ttl,
            throttle: Throttle::new(throttle),
            failed: Counter::default(),
        })
    }

    /// The counter of refused logins.
    pub fn logins_failed(&self) -> Counter {
        self.failed.clone()
    }

    /// Checks the credentials and opens a session; returns its token. Repeated failures of a
    /// user from one peer are answered later and later, also when they come in parallel.
    pub async fn login(
        &self,
        peer: Option<IpAddr>,
        user: &str,
        password: &str,
    ) -> Result<String, PopError> {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let attempt = self.throttle.attempt(user, peer).await;
        let (hash, known) = match self.users.get(user) {
            Some(h) => (h.clone(), true),
            None => (self.decoy.clone(), false),
        };
        let password = password.to_owned();
        // argon2 takes tens of milliseconds of CPU: off the async workers.
        let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        if !(verified && known) {
            tracing::info!(target: "audit", user = %user, %peer, operation = %"Login", outcome = %"refused", "login refused");
            self.failed.inc();
            return Err(PopError::BadLogin);
        }
        attempt.succeeded();
        let token = new_token();
        let session = Session { user: user.to_owned(), expires: now_unix() + self.ttl_secs() };
        self.store.put_session(&token_hash(&token), &session)?;
        tracing::info!(target: "audit", user = %user, %peer, operation = %"Login", outcome = %"ok", "login");
        Ok(token)
    }

    /// The user of a valid session.
    pub fn check(&self, token: &str) -> Result<String, PopError> {
        self.check_at(token, now_unix())
    }

    fn check_at(&self, token: &str, now: i64) -> Result<String, PopError> {
        let hash = token_hash(token);
        match self.store.session(&hash)? {
            Some(s) if s.expires > now => Ok(s.user),
            Some(_) => {
                self.store.delete_session(&hash)?;
                Err(PopError::SessionExpired)
            }
            None => Err(PopError::UnknownSession),
        }
    }

    /// Invalidates the given tokens.
    pub fn logout<'a>(&self, tokens: impl IntoIterator<Item = &'a str>) -> Result<(), PopError> {
        for token in tokens {
            self.store.delete_session(&token_hash(token))?;
        }
        Ok(())
    }

    /// Forgets expired sessions (they are refused anyway; this keeps the table small).
    pub fn purge_expired(&self) -> Result<usize, PopError> {
        Ok(self.store.purge_sessions(now_unix())?)
    }

    fn ttl_secs(&self) -> i64 {
        i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2)
    }
}

/// A user hashed with cheap argon2 parameters, for tests that check behaviour, not cost.
#[cfg(test)]
pub(crate) fn cheap_user(name: &str, password: &str) -> User {
    let password_hash =
        archipel_daemon::auth::hash_password_cheaply(password).expect("hashing works");
    User { name: name.into(), password_hash }
}

#[cfg(test)]
mod tests;
