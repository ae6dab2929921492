use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
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
        PasswordHash::new(&self.password_hash)
            .map(|_| ())
            .map_err(|source| AuthError::BadHash { user: self.name.clone(), source })
    }
}

/// An argon2id PHC string of the password, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    hash_with(&Argon2::default(), password)
}

pub(super) fn hash_with(argon: &Argon2<'_>, password: &str) -> Result<String, AuthError> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(AuthError::Hash)?;
    argon.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AuthError::Hash)
}

/// Whether the password matches the PHC string; the parameters come from the string.
pub(super) fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}
