//! Who may call what: every request but the public ones carries a bearer credential (a login
//! token or an API key), and the role each route needs is decided here, in one table
//! ([`needs`]). Every state-changing call leaves one audit line (target `audit`): who (`user`,
//! and `via` a login token or which API key), from where, what, on what, and the status.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;
use crate::engine::{AuthError, Principal};
use crate::model::Role;
use crate::Nfvo;

/// The role a request needs; None for the public routes (the OpenAPI document, the health
/// check, the login itself and the web view's static files, whose script calls the API with
/// the user's token).
pub fn needs(method: &Method, path: &str) -> Option<Role> {
    let reads = matches!(*method, Method::GET | Method::HEAD);
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    match path {
        "/openapi.json" | "/health" if reads => return None,
        "/auth/v1/login" if *method == Method::POST => return None,
        _ if reads && under("/ui") => return None,
        _ => {}
    }
    Some(if under("/auth/v1/users") {
        Role::Admin
    } else if under("/auth/v1") {
        // Logging out and one's own API keys: any user (the handlers check whose keys).
        Role::Reader
    } else if matches!(path.split('/').nth(3), Some("subscriptions" | "pm_jobs" | "thresholds")) {
        // A callback URL may carry its subscriber's secret: subscriptions, PM jobs and
        // thresholds are the operators'.
        Role::Operator
    } else if reads {
        Role::Reader
    } else if under("/sites") {
        Role::Admin
    } else {
        Role::Operator
    })
}

/// The middleware: authenticates, checks the role, and audits what changes state.
pub(super) async fn guard(State(nfvo): State<Nfvo>, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let Some(role) = needs(&method, &path) else { return next.run(request).await };
    let peer = peer_of(&request);
    let principal = bearer(request.headers())
        .ok_or(AuthError::NoCredentials)
        .and_then(|credential| nfvo.authenticate(credential))
        .and_then(|p| match p.role >= role {
            true => Ok(p),
            false => Err(AuthError::Forbidden { user: p.user, role: p.role, needs: role }),
        });
    let reads = matches!(method, Method::GET | Method::HEAD);
    let (user, via, response) = match principal {
        Ok(principal) => {
            let user = principal.user.clone();
            let via =
                principal.api_key.as_ref().map_or("token".to_owned(), |id| format!("api-key:{id}"));
            request.extensions_mut().insert(principal);
            (user, via, next.run(request).await)
        }
        Err(err) => {
            let user = match &err {
                AuthError::Forbidden { user, .. } => user.clone(),
                _ => "-".to_owned(),
            };
            (user, "-".to_owned(), ApiError::from(err).into_response())
        }
    };
    if !reads {
        let outcome = response.status().as_u16();
        tracing::info!(
            target: "audit", %user, %via, %peer, operation = %method, target = %path, outcome
        );
    }
    response
}

/// The credential of `Authorization: Bearer CREDENTIAL`.
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| credential.trim()).filter(|c| !c.is_empty())
}

fn peer_of<B>(request: &axum::http::Request<B>) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip())
}

/// The caller, as the guard proved it.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let principal = parts.extensions.get::<Principal>().cloned();
        principal.map(Caller).ok_or_else(|| AuthError::NoCredentials.into())
    }
}

/// The peer's address (unspecified when the server does not tell it).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(Peer(addr.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_of_roles() {
        let cases = [
            (Method::GET, "/openapi.json", None),
            (Method::GET, "/health", None),
            (Method::POST, "/auth/v1/login", None),
            (Method::GET, "/auth/v1/login", Some(Role::Reader)),
            (Method::POST, "/health", Some(Role::Operator)),
            (Method::POST, "/auth/v1/logout", Some(Role::Reader)),
            (Method::POST, "/auth/v1/api_keys", Some(Role::Reader)),
            (Method::GET, "/auth/v1/users", Some(Role::Admin)),
            (Method::DELETE, "/auth/v1/users/x", Some(Role::Admin)),
            (Method::GET, "/sites", Some(Role::Reader)),
            (Method::POST, "/sites", Some(Role::Admin)),
            (Method::DELETE, "/sites/a", Some(Role::Admin)),
            (Method::POST, "/sitesx", Some(Role::Operator)),
            (Method::POST, "/nslcm/v1/ns_instances", Some(Role::Operator)),
            (Method::GET, "/nslcm/v1/ns_instances", Some(Role::Reader)),
            (Method::GET, "/nslcm/v1/subscriptions", Some(Role::Operator)),
            (Method::GET, "/nsfm/v1/subscriptions/x", Some(Role::Operator)),
            (Method::GET, "/nspm/v1/pm_jobs/x/reports/y", Some(Role::Operator)),
            (Method::GET, "/nspm/v1/thresholds", Some(Role::Operator)),
            (Method::GET, "/nspm/v1/api_versions", Some(Role::Reader)),
            (Method::GET, "/nowhere", Some(Role::Reader)),
            (Method::GET, "/ui", None),
            (Method::GET, "/ui/app.js", None),
            (Method::POST, "/ui", Some(Role::Operator)),
            (Method::GET, "/uix", Some(Role::Reader)),
        ];
        for (method, path, role) in cases {
            assert_eq!(needs(&method, path), role, "{method} {path}");
        }
    }
}
