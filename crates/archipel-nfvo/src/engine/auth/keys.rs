//! API keys: long-lived credentials for automation, each acting as one user with a role no
//! higher than that user's and its creator's.

use archipel_daemon::auth::{new_token, token_hash};

use super::{check_name, AuthError, Principal};
use crate::engine::Nfvo;
use crate::ids;
use crate::model::Role;
use crate::store::ApiKeyRecord;

/// What every API key starts with: tells it from a login token, and lets secret scanners find
/// one pasted where it should not be.
pub const API_KEY_PREFIX: &str = "archipel-ak-";

/// A new API key: its record, and the key itself, shown this once.
#[derive(Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub record: ApiKeyRecord,
    pub key: String,
}

impl std::fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKey").field("record", &self.record).finish_non_exhaustive()
    }
}

impl Nfvo {
    /// Makes an API key named `name` for `user` (the caller when None; another user only for
    /// an admin), with `role` (the user's when None).
    pub fn create_api_key(
        &self,
        caller: &Principal,
        name: &str,
        user: Option<&str>,
        role: Option<Role>,
    ) -> Result<NewApiKey, AuthError> {
        check_name("API key name", name)?;
        let user = user.unwrap_or(&caller.user);
        if user != caller.user && caller.role < Role::Admin {
            return Err(AuthError::OthersKey { user: caller.user.clone(), role: caller.role });
        }
        let owner =
            self.store().user(user)?.ok_or_else(|| AuthError::NoUser { name: user.into() })?;
        let max = owner.role.min(caller.role);
        let role = role.unwrap_or(max);
        if role > max {
            return Err(AuthError::RoleTooHigh { asked: role, max });
        }
        let key = format!("{API_KEY_PREFIX}{}", new_token());
        let record = ApiKeyRecord {
            id: ids::new_id(),
            user: owner.name,
            name: name.to_owned(),
            role,
            created: ids::now(),
            created_by: caller.user.clone(),
        };
        self.store().insert_api_key(&record, &token_hash(&key))?;
        Ok(NewApiKey { record, key })
    }

    /// The caller's API keys; every user's for an admin.
    pub fn api_keys(&self, caller: &Principal) -> Result<Vec<ApiKeyRecord>, AuthError> {
        let user = (caller.role < Role::Admin).then_some(caller.user.as_str());
        Ok(self.store().api_keys(user)?)
    }

    /// Revokes an API key of the caller's (anyone's for an admin). Another user's key is "not
    /// found" to a non-admin, so that ids cannot be probed.
    pub fn revoke_api_key(&self, caller: &Principal, id: &str) -> Result<(), AuthError> {
        let not_found = || AuthError::NoApiKey { id: id.to_owned() };
        let key = self.store().api_key(id)?.ok_or_else(not_found)?;
        if key.user != caller.user && caller.role < Role::Admin {
            return Err(not_found());
        }
        if !self.store().delete_api_key(id)? {
            return Err(not_found());
        }
        Ok(())
    }
}
