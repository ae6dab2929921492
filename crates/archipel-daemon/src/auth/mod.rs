//! What every daemon's logins share: argon2id password hashes ([`hash_password`],
//! [`verify_password`]), bearer tokens that are shown once and kept only as their SHA-256
//! ([`new_token`], [`token_hash`]), constant-time comparison ([`same`]) and the login
//! [`Throttle`].

mod password;
mod throttle;
mod token;

pub use password::{check_phc, hash_password, hash_password_cheaply, verify_password};
pub use throttle::{Attempt, Throttle, ThrottleConfig};
pub use token::{new_token, same, token_hash};

/// What is wrong with a password hash.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("hashing a password failed")]
    Hash(#[source] argon2::password_hash::Error),
    #[error("the password hash is not an argon2 PHC string")]
    NotPhc(#[source] argon2::password_hash::Error),
}
