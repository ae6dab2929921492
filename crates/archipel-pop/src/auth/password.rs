use archipel_daemon::auth::{check_phc, hash_password};
use serde::{Deserialize, Serialize};

use super::AuthError;

/// A user as the configuration file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
}

impl User {
    /// Hashes the password (argon2id, default parameters); the clear text is not kept.
    pub fn with_password(name: &str, password: &str) -> Result<Self, AuthError> {
        Ok(Self { name: name.to_owned(), password_hash: hash_password(password)? })
    }

    /// A user from `POPD_AUTH`'s `user:password`.
    pub fn from_auth_env(value: &str) -> Result<Self, AuthError> {
        match value.split_once(':') {
            Some((name, password)) if !name.is_empty() && !password.is_empty() => {
                Self::with_password(name, password)
            }
            _ => Err(AuthError::BadAuthEnv),
        }
    }

    pub(super) fn check(&self) -> Result<(), AuthError> {
        check_phc(&self.password_hash)
            .map_err(|source| AuthError::BadHash { user: self.name.clone(), source })
    }
}
