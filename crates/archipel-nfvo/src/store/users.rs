//! The API's users, login tokens and API keys. Tokens and keys are kept as their SHA-256 only.

use rusqlite::{params, OptionalExtension};

use super::{corrupt, sql, Store, StoreError};
use crate::model::Role;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    /// Unix seconds.
    pub created: i64,
}

/// An API key as stored and listed; its token is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: String,
    /// The user the key acts as.
    pub user: String,
    /// What its creator called it.
    pub name: String,
    /// At most its user's role; the lower of the two applies.
    pub role: Role,
    /// Unix seconds.
    pub created: i64,
    pub created_by: String,
}

fn role(text: String) -> Result<Role, StoreError> {
    text.parse().map_err(corrupt("role"))
}

impl Store {
    /// Whether no user exists yet (the first admin is then bootstrapped).
    pub fn no_users(&self) -> Result<bool, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .map_err(sql("count users"))?;
        Ok(n == 0)
    }

    /// Whether it was added: false if a user of that name exists.
    pub fn insert_user(&self, user: &UserRecord) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "INSERT INTO users (name, password_hash, role, created) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO NOTHING",
                params![user.name, user.password_hash, user.role.as_str(), user.created],
            )
            .map_err(sql("insert a user"))?;
        Ok(n > 0)
    }

    pub fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT name, password_hash, role, created FROM users WHERE name = ?1",
                [name],
                |r| <(String, String, String, i64)>::try_from(r),
            )
            .optional()
            .map_err(sql("read a user"))?;
        row.map(|(name, password_hash, r, created)| {
            Ok(UserRecord { name, password_hash, role: role(r)?, created })
        })
        .transpose()
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows: Vec<(String, String, String, i64)> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT name, password_hash, role, created FROM users ORDER BY name")
                .map_err(sql("list users"))?;
            let rows = stmt.query_map([], |r| r.try_into()).map_err(sql("list users"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list users"))?
        };
        rows.into_iter()
            .map(|(name, password_hash, r, created)| {
                Ok(UserRecord { name, password_hash, role: role(r)?, created })
            })
            .collect()
    }

    /// Deletes a user with its tokens and keys, unless it is the last admin: whether there was
    /// one to delete.
    pub fn delete_user(&self, name: &str) -> Result<UserDeleted, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("delete a user"))?;
        let was: Option<String> = tx
            .query_row("SELECT role FROM users WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(sql("delete a user"))?;
        let Some(was) = was else { return Ok(UserDeleted::NotFound) };
        if role(was)? == Role::Admin {
            let admins: i64 = tx
                .query_row("SELECT COUNT(*) FROM users WHERE role = 'admin'", [], |r| r.get(0))
                .map_err(sql("delete a user"))?;
            if admins <= 1 {
                return Ok(UserDeleted::LastAdmin);
            }
        }
        tx.execute("DELETE FROM users WHERE name = ?1", [name]).map_err(sql("delete a user"))?;
        tx.commit().map_err(sql("delete a user"))?;
        Ok(UserDeleted::Deleted)
    }

    /// Keeps a login token's hash; the expired ones are forgotten on the way (a login is rare,
    /// a request frequent: checking one never writes).
    pub fn insert_token(
        &self,
        hash: &str,
        user: &str,
        expires: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("insert a token"))?;
        tx.execute("DELETE FROM tokens WHERE expires <= ?1", [now])
            .map_err(sql("forget expired tokens"))?;
        tx.execute(
            "INSERT INTO tokens (hash, user, expires) VALUES (?1, ?2, ?3)",
            params![hash, user, expires],
        )
        .map_err(sql("insert a token"))?;
        tx.commit().map_err(sql("insert a token"))
    }

    /// The user and role of a login token that has not expired at `now`.
    pub fn token_user(&self, hash: &str, now: i64) -> Result<Option<(String, Role)>, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT users.name, users.role FROM tokens JOIN users ON users.name = tokens.user
                 WHERE tokens.hash = ?1 AND tokens.expires > ?2",
                params![hash, now],
                |r| <(String, String)>::try_from(r),
            )
            .optional()
            .map_err(sql("read a token"))?;
        row.map(|(user, r)| Ok((user, role(r)?))).transpose()
    }

    /// Whether there was one to delete.
    pub fn delete_token(&self, hash: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM tokens WHERE hash = ?1", [hash])
            .map_err(sql("delete a token"))?;
        Ok(n > 0)
    }

    pub fn insert_api_key(&self, key: &ApiKeyRecord, hash: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO api_keys (id, hash, user, name, role, created, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    key.id,
                    hash,
                    key.user,
                    key.name,
                    key.role.as_str(),
                    key.created,
                    key.created_by
                ],
            )
            .map_err(sql("insert an API key"))?;
        Ok(())
    }

    /// The user of an API key, the role it acts with (the lower of the key's and the user's:
    /// a user demoted since keeps no higher key) and the key's id.
    pub fn api_key_user(&self, hash: &str) -> Result<Option<(String, Role, String)>, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT users.name, users.role, api_keys.role, api_keys.id FROM api_keys
                 JOIN users ON users.name = api_keys.user WHERE api_keys.hash = ?1",
                [hash],
                |r| <(String, String, String, String)>::try_from(r),
            )
            .optional()
            .map_err(sql("read an API key"))?;
        row.map(|(user, user_role, key_role, id)| {
            Ok((user, role(user_role)?.min(role(key_role)?), id))
        })
        .transpose()
    }

    /// The API keys of `user`, or every key when `user` is None; oldest first.
    pub fn api_keys(&self, user: Option<&str>) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let rows: Vec<(String, String, String, String, i64, String)> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare(
                    "SELECT id, user, name, role, created, created_by FROM api_keys
                     WHERE ?1 IS NULL OR user = ?1 ORDER BY created, id",
                )
                .map_err(sql("list API keys"))?;
            let rows = stmt.query_map([user], |r| r.try_into()).map_err(sql("list API keys"))?;
            rows.collect::<Result<_, _>>().map_err(sql("list API keys"))?
        };
        rows.into_iter()
            .map(|(id, user, name, r, created, created_by)| {
                Ok(ApiKeyRecord { id, user, name, role: role(r)?, created, created_by })
            })
            .collect()
    }

    pub fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(self.api_keys(None)?.into_iter().find(|k| k.id == id))
    }

    /// Whether there was one to delete.
    pub fn delete_api_key(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM api_keys WHERE id = ?1", [id])
            .map_err(sql("delete an API key"))?;
        Ok(n > 0)
    }
}

/// What [`Store::delete_user`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserDeleted {
    Deleted,
    NotFound,
    /// Refused: the only admin would be gone, and with it every way to manage users.
    LastAdmin,
}
