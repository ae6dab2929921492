//! Users: added and removed by admins; the first admin from the daemon's configuration.

use archipel_daemon::auth::hash_password;

use super::{check_name, AuthError, PASSWORD_LIMIT, PASSWORD_MIN};
use crate::engine::Nfvo;
use crate::ids;
use crate::model::Role;
use crate::store::{UserDeleted, UserRecord};

impl Nfvo {
    /// Adds the first admin when no user exists yet; whether it did.
    pub async fn bootstrap_admin(&self, name: &str, password: &str) -> Result<bool, AuthError> {
        if !self.store().no_users()? {
            return Ok(false);
        }
        self.add_user(name, password, Role::Admin).await?;
        Ok(true)
    }

    /// Adds a user with a password (kept as an argon2id hash only).
    pub async fn add_user(
        &self,
        name: &str,
        password: &str,
        role: Role,
    ) -> Result<UserRecord, AuthError> {
        check_name("user name", name)?;
        if password.chars().count() < PASSWORD_MIN || password.len() > PASSWORD_LIMIT {
            return Err(AuthError::Invalid {
                reason: format!(
                    "a password has at least {PASSWORD_MIN} characters and at most \
                     {PASSWORD_LIMIT} bytes"
                ),
            });
        }
        if self.store().user(name)?.is_some() {
            return Err(AuthError::UserExists { name: name.to_owned() });
        }
        let given = password.to_owned();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&given))
            .await
            .map_err(AuthError::HashAborted)?
            .map_err(AuthError::Hash)?;
        let user = UserRecord { name: name.to_owned(), password_hash, role, created: ids::now() };
        if !self.store().insert_user(&user)? {
            return Err(AuthError::UserExists { name: name.to_owned() });
        }
        Ok(user)
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRecord>, AuthError> {
        Ok(self.store().users()?)
    }

    /// Removes a user with its tokens and API keys; never the last admin.
    pub fn remove_user(&self, name: &str) -> Result<(), AuthError> {
        match self.store().delete_user(name)? {
            UserDeleted::Deleted => Ok(()),
            UserDeleted::NotFound => Err(AuthError::NoUser { name: name.to_owned() }),
            UserDeleted::LastAdmin => Err(AuthError::LastAdmin { name: name.to_owned() }),
        }
    }
}
