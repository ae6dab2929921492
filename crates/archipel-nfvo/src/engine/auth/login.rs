//! Logins, logouts and checking a bearer credential.

use std::net::IpAddr;

use archipel_daemon::auth::{new_token, token_hash, verify_password};

use super::{check_name, AuthError, Principal, API_KEY_PREFIX, CREDENTIAL_LIMIT, PASSWORD_LIMIT};
use crate::engine::Nfvo;
use crate::ids;
use crate::model::Role;

/// A successful login: the token (shown once) and what it allows until when.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    pub token: String,
    pub user: String,
    pub role: Role,
    /// Unix seconds.
    pub expires: i64,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("user", &self.user)
            .field("role", &self.role)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Nfvo {
    /// Checks a user's password and makes a login token. Attempts are throttled per user and
    /// peer, counted before the password is checked, so parallel guesses queue.
    pub async fn login(
        &self,
        user: &str,
        password: &str,
        peer: IpAddr,
    ) -> Result<Login, AuthError> {
        // Checked first: a name that cannot exist is refused before it reaches the throttle's
        // tables or a log line.
        check_name("user name", user)?;
        if password.len() > PASSWORD_LIMIT {
            return Err(AuthError::Invalid {
                reason: format!("a password has at most {PASSWORD_LIMIT} bytes"),
            });
        }
        let accounts = self.accounts();
        let attempt = accounts.throttle.attempt(user, peer).await;
        let record = self.store().user(user)?;
        let phc = match &record {
            Some(r) => r.password_hash.clone(),
            None => self.decoy()?,
        };
        let given = password.to_owned();
        // argon2 takes tens of milliseconds of CPU: off the async workers.
        let matched = tokio::task::spawn_blocking(move || verify_password(&given, &phc))
            .await
            .unwrap_or(false);
        let Some(record) = record.filter(|_| matched) else {
            audit_login(user, peer, "refused");
            self.metrics().login_failed();
            return Err(AuthError::BadLogin);
        };
        attempt.succeeded();
        let token = new_token();
        let ttl = i64::try_from(accounts.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let now = ids::now();
        let expires = now.saturating_add(ttl);
        self.store().insert_token(&token_hash(&token), &record.name, expires, now)?;
        audit_login(user, peer, "ok");
        Ok(Login { token, user: record.name, role: record.role, expires })
    }

    /// Forgets a login token (an API key is revoked by its id instead).
    pub fn logout(&self, token: &str) -> Result<(), AuthError> {
        self.store().delete_token(&token_hash(token))?;
        Ok(())
    }

    /// The principal a bearer credential (a login token or an API key) proves.
    pub fn authenticate(&self, credential: &str) -> Result<Principal, AuthError> {
        if credential.is_empty() || credential.len() > CREDENTIAL_LIMIT {
            return Err(AuthError::BadCredentials);
        }
        let hash = token_hash(credential);
        let found = if credential.starts_with(API_KEY_PREFIX) {
            self.store().api_key_user(&hash)?.map(|(user, role, id)| (user, role, Some(id)))
        } else {
            self.store().token_user(&hash, ids::now())?.map(|(user, role)| (user, role, None))
        };
        let (user, role, api_key) = found.ok_or(AuthError::BadCredentials)?;
        Ok(Principal { user, role, api_key })
    }

    fn decoy(&self) -> Result<String, AuthError> {
        let decoy = &self.accounts().decoy;
        if let Some(hash) = decoy.get() {
            return Ok(hash.clone());
        }
        let hash = archipel_daemon::auth::hash_password(&new_token()).map_err(AuthError::Hash)?;
        Ok(decoy.get_or_init(|| hash).clone())
    }
}

fn audit_login(user: &str, peer: IpAddr, outcome: &str) {
    tracing::info!(target: "audit", %user, %peer, operation = "login", target = %user, %outcome);
}
