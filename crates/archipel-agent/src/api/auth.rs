//! The secrets that guard the two interfaces, checked in constant time.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use super::ApiError;
use crate::peers::KEY_HEADER;

/// The North bearer token and the East-West shared key.
#[derive(Clone)]
pub struct Secrets {
    pub north_token: String,
    pub east_west_key: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

/// Equality whose time depends on neither the contents nor the lengths: both sides are hashed
/// first, then every byte of the digests is compared.
fn same(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(super) async fn north(
    State(secrets): State<Arc<Secrets>>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let given = header(req.headers(), "authorization").and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(token) if same(token, &secrets.north_token) => Ok(next.run(req).await),
        _ => Err(ApiError::unauthorized("a valid bearer token is required")),
    }
}

pub(super) async fn east_west(
    State(secrets): State<Arc<Secrets>>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    match header(req.headers(), KEY_HEADER) {
        Some(key) if same(key, &secrets.east_west_key) => Ok(next.run(req).await),
        _ => Err(ApiError::unauthorized("a valid x-archipel-key is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn compares_whole_secrets() {
        assert!(same("k3y", "k3y"));
        assert!(!same("k3", "k3y"));
        assert!(!same("", "k3y"));
    }
}
