use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::engine::{Login, NewApiKey};
use crate::ids;
use crate::model::Role;
use crate::store::{ApiKeyRecord, UserRecord};

/// A role: `admin` (users, sites, and everything below), `operator` (descriptors and the
/// lifecycle of network services, and reading), `reader` (GET only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    Admin,
    Operator,
    Reader,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Operator => Self::Operator,
            Role::Reader => Self::Reader,
        }
    }
}

impl From<RoleName> for Role {
    fn from(role: RoleName) -> Self {
        match role {
            RoleName::Admin => Self::Admin,
            RoleName::Operator => Self::Operator,
            RoleName::Reader => Self::Reader,
        }
    }
}

/// A user name and password to log in with.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    /// Letters, digits, `-`, `_`, `.`, `@`; at most 64 characters.
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_.@-]+$")]
    pub username: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest").field("username", &self.username).finish_non_exhaustive()
    }
}

/// A login token: send it as `Authorization: Bearer TOKEN` until it expires.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// RFC 3339.
    pub expires_at: String,
    pub username: String,
    pub role: RoleName,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("expires_at", &self.expires_at)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl From<Login> for LoginResponse {
    fn from(login: Login) -> Self {
        Self {
            token: login.token,
            token_type: "Bearer".to_owned(),
            expires_at: ids::rfc3339(login.expires),
            username: login.user,
            role: login.role.into(),
        }
    }
}

/// A user to add.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRequest {
    /// Letters, digits, `-`, `_`, `.`, `@`; at most 64 characters.
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_.@-]+$")]
    pub username: String,
    /// At least 8 characters.
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    pub role: RoleName,
}

impl std::fmt::Debug for UserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRequest")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A user; the password is never shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub username: String,
    pub role: RoleName,
    /// RFC 3339.
    pub created_at: String,
}

impl From<UserRecord> for UserInfo {
    fn from(user: UserRecord) -> Self {
        Self { username: user.name, role: user.role.into(), created_at: ids::rfc3339(user.created) }
    }
}

/// An API key to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKeyRequest {
    /// What the key is for: letters, digits, `-`, `_`, `.`, `@`; at most 64 characters.
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_.@-]+$")]
    pub name: String,
    /// The user it acts as: the caller when absent; another user only for an admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_.@-]+$")]
    pub username: Option<String>,
    /// Its role: at most its user's and the caller's (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
}

/// An API key; its secret is shown only when it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInfo {
    pub id: String,
    pub name: String,
    pub username: String,
    pub role: RoleName,
    /// RFC 3339.
    pub created_at: String,
    pub created_by: String,
}

impl From<ApiKeyRecord> for ApiKeyInfo {
    fn from(key: ApiKeyRecord) -> Self {
        Self {
            id: key.id,
            name: key.name,
            username: key.user,
            role: key.role.into(),
            created_at: ids::rfc3339(key.created),
            created_by: key.created_by,
        }
    }
}

/// A new API key: send `key` as `Authorization: Bearer KEY`. It is shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyCreated {
    #[serde(flatten)]
    pub info: ApiKeyInfo,
    pub key: String,
}

impl std::fmt::Debug for ApiKeyCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyCreated").field("info", &self.info).finish_non_exhaustive()
    }
}

impl From<NewApiKey> for ApiKeyCreated {
    fn from(new: NewApiKey) -> Self {
        Self { info: new.record.into(), key: new.key }
    }
}

/// That the daemon answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}
