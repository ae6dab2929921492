//! Users, logins and sessions. Passwords are kept only as argon2id PHC strings; a session
//! token is 256 random bits shown once to the client and stored only as its SHA-256.

mod password;
mod throttle;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use sha2::{Digest, Sha256};

pub use password::{hash_password, User};
pub use throttle::Throttle;

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
    #[error("the password hash of user {user} is not an argon2 PHC string")]
    BadHash {
        user: String,
        #[source]
        source: argon2::password_hash::Error,
    },
    #[error("hashing a password failed")]
    Hash(#[source] argon2::password_hash::Error),
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
        Ok(Self { users: map, decoy, store, ttl, throttle: Throttle::new(throttle) })
    }

    /// Checks the credentials and opens a session; returns its token. Repeated failures from
    /// one peer are answered later and later.
    pub async fn login(
        &self,
        peer: Option<IpAddr>,
        user: &str,
        password: &str,
    ) -> Result<String, PopError> {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let delay = self.throttle.delay(peer);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let (hash, known) = match self.users.get(user) {
            Some(h) => (h.clone(), true),
            None => (self.decoy.clone(), false),
        };
        let password = password.to_owned();
        // argon2 takes tens of milliseconds of CPU: off the async workers.
        let verified = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
            .await
            .unwrap_or(false);
        if !(verified && known) {
            self.throttle.failed(peer);
            tracing::info!(user, %peer, "login refused");
            return Err(PopError::BadLogin);
        }
        self.throttle.succeeded(peer);
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = hex::encode(raw);
        let session = Session { user: user.to_owned(), expires: now_unix() + self.ttl_secs() };
        self.store.put_session(&token_hash(&token), &session)?;
        tracing::info!(user, %peer, "login");
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

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A user hashed with cheap argon2 parameters, for tests that check behaviour, not cost.
#[cfg(test)]
pub(crate) fn cheap_user(name: &str, password: &str) -> User {
    use argon2::{Algorithm, Argon2, Params, Version};
    let params = Params::new(64, 1, 1, None).expect("valid argon2 parameters");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let password_hash = password::hash_with(&argon, password).expect("hashing works");
    User { name: name.into(), password_hash }
}

#[cfg(test)]
mod tests;
