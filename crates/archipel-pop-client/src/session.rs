//! A logged-in session: the channel to one popd and the token it gave.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use archipel_proto::v1 as pb;
use pb::pop_client::PopClient;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::cache::{Key, SessionCache};
use crate::client::Credentials;
use crate::error::ClientError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The deadline of Login and Logout, which no caller's timeout covers.
pub(crate) const SESSION_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The gRPC metadata key that carries the token.
pub(crate) const TOKEN_KEY: &str = "token";

pub(crate) struct Session {
    pub(crate) channel: Channel,
    pub(crate) token: MetadataValue<Ascii>,
    /// What the session logged in with: a client with another password must not borrow it.
    password: String,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn logged_in_with(&self, password: &str) -> bool {
        self.password == password
    }
}

/// The sessions of the whole process.
pub(crate) fn cache() -> &'static SessionCache<Session> {
    static CACHE: OnceLock<SessionCache<Session>> = OnceLock::new();
    CACHE.get_or_init(SessionCache::new)
}

pub(crate) fn key(creds: &Credentials) -> Key {
    (creds.endpoint.clone(), creds.username.clone())
}

/// Opens a channel to `endpoint`: TLS for `https://`, which needs `ca`.
pub(crate) async fn connect(endpoint: &str, ca: Option<&[u8]>) -> Result<Channel, ClientError> {
    let mut channel = Endpoint::from_shared(endpoint.to_string())
        .map_err(|source| ClientError::Endpoint { endpoint: endpoint.to_string(), source })?;
    if endpoint.starts_with("https://") {
        let ca = ca.ok_or_else(|| ClientError::NoCa { endpoint: endpoint.to_string() })?;
        let tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca));
        channel = channel
            .tls_config(tls)
            .map_err(|source| ClientError::Endpoint { endpoint: endpoint.to_string(), source })?;
    }
    channel
        .connect_timeout(CONNECT_TIMEOUT)
        .connect()
        .await
        .map_err(|source| ClientError::Connect { endpoint: endpoint.to_string(), source })
}

/// Connects and logs in.
pub(crate) async fn login(creds: &Credentials) -> Result<Session, ClientError> {
    let channel = connect(&creds.endpoint, creds.ca.as_deref()).await?;
    let mut request = tonic::Request::new(pb::Credentials {
        username: creds.username.clone(),
        password: creds.password.clone(),
    });
    request.set_timeout(SESSION_CALL_TIMEOUT);
    let token = PopClient::new(channel.clone())
        .login(request)
        .await
        .map_err(|status| ClientError::Login {
            endpoint: creds.endpoint.clone(),
            username: creds.username.clone(),
            status,
        })?
        .into_inner()
        .value;
    let token = MetadataValue::try_from(token)
        .map_err(|source| ClientError::Token { endpoint: creds.endpoint.clone(), source })?;
    tracing::debug!(endpoint = %creds.endpoint, username = %creds.username, "logged in to popd");
    Ok(Session { channel, token, password: creds.password.clone() })
}
