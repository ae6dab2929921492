//! Who may call the API: users with one role each (argon2id hashes), login tokens that expire,
//! and API keys for automation. A token and a key are shown once and kept as their SHA-256
//! only. Logins are throttled per user and peer by the daemon kit's [`Throttle`].

mod keys;
mod login;
mod users;

use std::sync::OnceLock;
use std::time::Duration;

use archipel_daemon::auth::{Throttle, ThrottleConfig};

pub use keys::{NewApiKey, API_KEY_PREFIX};
pub use login::Login;

use crate::model::Role;
use crate::store::StoreError;

/// The longest user name, API key name and password the API takes.
pub const NAME_LIMIT: usize = 64;
pub const PASSWORD_LIMIT: usize = 1024;
/// The shortest password a new user may get.
pub const PASSWORD_MIN: usize = 8;
/// The longest bearer credential looked up (a token is 64 hex digits, a key a few more).
pub const CREDENTIAL_LIMIT: usize = 128;

/// How logins behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthConfig {
    /// How long a login token is valid.
    pub token_ttl: Duration,
    pub throttle: ThrottleConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self { token_ttl: Duration::from_secs(12 * 3600), throttle: ThrottleConfig::default() }
    }
}

/// The authentication state of one NFVO.
#[derive(Debug)]
pub(crate) struct Accounts {
    ttl: Duration,
    throttle: Throttle,
    /// A hash that unknown user names are verified against, so that a wrong user name costs
    /// what a wrong password costs; made at the first login.
    decoy: OnceLock<String>,
}

impl Accounts {
    pub(crate) fn new(config: AuthConfig) -> Self {
        Self {
            ttl: config.token_ttl,
            throttle: Throttle::new(config.throttle),
            decoy: OnceLock::new(),
        }
    }
}

/// Who is calling, as a credential proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    /// What this credential may do: the user's role, or an API key's (never higher).
    pub role: Role,
    /// The API key's id, when the credential is one.
    pub api_key: Option<String>,
}

/// Why a login or a credential was refused, or an account change could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong user name or password")]
    BadLogin,
    #[error("no credentials: log in (`archipel login`) and send the token as `Authorization: Bearer TOKEN`")]
    NoCredentials,
    #[error(
        "the token or API key is unknown, revoked or expired: log in again (`archipel login`)"
    )]
    BadCredentials,
    #[error("user {user} is {role}: this needs {needs}")]
    Forbidden { user: String, role: Role, needs: Role },
    #[error("a key for another user needs an admin: {user} is {role}")]
    OthersKey { user: String, role: Role },
    #[error("an API key may not have a higher role than its user's or its creator's ({max}); asked {asked}")]
    RoleTooHigh { asked: Role, max: Role },
    #[error("user {name} exists")]
    UserExists { name: String },
    #[error("no user {name}")]
    NoUser { name: String },
    #[error("no API key {id}")]
    NoApiKey { id: String },
    #[error("user {name} is the last admin: add another admin first")]
    LastAdmin { name: String },
    #[error("invalid request: {reason}")]
    Invalid { reason: String },
    #[error("hashing the password failed")]
    Hash(#[source] archipel_daemon::auth::AuthError),
    #[error("hashing the password did not finish")]
    HashAborted(#[source] tokio::task::JoinError),
    #[error("the store failed")]
    Store(#[from] StoreError),
}

/// A user or API key name: 1 to 64 of letters, digits, `-`, `_`, `.`, `@`.
fn check_name(what: &str, name: &str) -> Result<(), AuthError> {
    let ok = !name.is_empty()
        && name.len() <= NAME_LIMIT
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AuthError::Invalid {
            reason: format!(
                "invalid {what}: use 1 to {NAME_LIMIT} letters, digits, '-', '_', '.' or '@'"
            ),
        })
    }
}
