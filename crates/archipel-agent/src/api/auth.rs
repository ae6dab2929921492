//! Who calls: the North token, compared in constant time, and the East-West caller, a peer
//! site established by the transport.

use std::collections::{BTreeMap, BTreeSet};

use archipel_daemon::tls::PeerNames;

use archipel_daemon::auth::same;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

use super::ApiError;
use crate::peers::{KEY_HEADER, SITE_HEADER};

/// The North bearer token, and the key this site shares with each peer (by site name).
#[derive(Clone)]
pub struct Secrets {
    pub north_token: String,
    pub peer_keys: BTreeMap<String, String>,
}

/// The site an East-West call comes from, as the transport established it; the handlers and
/// the core check what it may ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub String);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
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

/// What the East-West interface knows of its callers: the configured peers, and the key
/// shared with each for plain text.
#[derive(Clone)]
pub(super) struct Peering {
    pub(super) peers: BTreeSet<String>,
    pub(super) keys: BTreeMap<String, String>,
}

/// Over TLS, the caller is the peer its verified client certificate names (a site's
/// certificate names its site); keys are not looked at.
fn certified(peering: &Peering, names: &PeerNames) -> Result<Caller, ApiError> {
    if names.0.is_empty() {
        return Err(ApiError::unauthorized("a peer site's client certificate is required"));
    }
    match names.0.iter().find(|name| peering.peers.contains(*name)) {
        Some(site) => Ok(Caller(site.clone())),
        None => Err(ApiError::forbidden(&format!(
            "the client certificate names {}, no peer of this site",
            names.0.join(", ")
        ))),
    }
}

/// Plain text: the caller names its site (`x-archipel-site`) and proves it with the key this
/// site shares with it alone (`x-archipel-key`). A site that is not a peer has no key here.
fn keyed(peering: &Peering, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let site = header(headers, SITE_HEADER).unwrap_or_default();
    let key = header(headers, KEY_HEADER);
    match (peering.keys.get(site), key) {
        (Some(expected), Some(key)) if same(key, expected) => Ok(Caller(site.to_owned())),
        _ => Err(ApiError::unauthorized(
            "a peer's site name in x-archipel-site and its key in x-archipel-key are required",
        )),
    }
}

/// The transport establishes the caller: [`serve_https`](archipel_daemon::tls::serve_https)
/// puts the client certificate's names in every request, plain HTTP puts none.
pub(super) async fn east_west(
    State(peering): State<Arc<Peering>>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let caller = match req.extensions().get::<PeerNames>() {
        Some(names) => certified(&peering, names)?,
        None => keyed(&peering, req.headers())?,
    };
    req.extensions_mut().insert(caller);
    Ok(next.run(req).await)
}
