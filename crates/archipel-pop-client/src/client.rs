//! The client and the container calls.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use archipel_proto::v1 as pb;
use pb::pop_client::PopClient;
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::error::ClientError;
use crate::filter::Filter;
use crate::session::{self, Session, SESSION_CALL_TIMEOUT, TOKEN_KEY};

/// The largest reply accepted: gRPC's default of 4 MiB is less than a list of a few dozen
/// containers at popd's metadata limit (256 KiB each); this takes 256 of them.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

/// Where a popd listens and who logs in to it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `http://HOST:PORT`, or `https://HOST:PORT` with `ca`.
    pub endpoint: String,
    pub username: String,
    pub password: String,
    /// The certificate authorities (PEM) an `https://` endpoint's certificate must chain to;
    /// the certificate must name the endpoint's host.
    pub ca: Option<Arc<[u8]>>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("endpoint", &self.endpoint)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A Pop client: free to create and clone, it keeps no connection of its own (see the crate
/// documentation).
#[derive(Debug, Clone)]
pub struct Client {
    creds: Credentials,
    timeout: Option<Duration>,
}

impl Client {
    pub fn new(creds: Credentials) -> Self {
        Client { creds, timeout: None }
    }

    /// Sets the gRPC deadline of every call but [`Client::watch`] (a stream lasts as long as
    /// its reader wants) and [`Client::stop`] given its own timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn endpoint(&self) -> &str {
        &self.creds.endpoint
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    async fn session(&self) -> Result<Arc<Session>, ClientError> {
        session::cache()
            .get(
                &session::key(&self.creds),
                |session| session.logged_in_with(&self.creds.password),
                || session::login(&self.creds),
            )
            .await
    }

    /// Runs one call with the session's token. A rejected token (UNAUTHENTICATED) drops the
    /// session, logs in again and runs the call once more: the server refused it before doing
    /// anything, so running it again is safe even when it changes state.
    pub(crate) async fn call<Req, Resp, Fut>(
        &self,
        message: Req,
        timeout: Option<Duration>,
        rpc: impl Fn(PopClient<Channel>, tonic::Request<Req>) -> Fut,
    ) -> Result<Resp, ClientError>
    where
        Req: Clone,
        Fut: Future<Output = Result<tonic::Response<Resp>, Status>>,
    {
        let mut retried = false;
        loop {
            let session = self.session().await?;
            let mut request = tonic::Request::new(message.clone());
            request.metadata_mut().insert(TOKEN_KEY, session.token.clone());
            if let Some(timeout) = timeout {
                request.set_timeout(timeout);
            }
            let client =
                PopClient::new(session.channel.clone()).max_decoding_message_size(MAX_REPLY_BYTES);
            match rpc(client, request).await {
                Ok(response) => return Ok(response.into_inner()),
                Err(status) if status.code() == Code::Unauthenticated && !retried => {
                    tracing::debug!(endpoint = %self.creds.endpoint, "token rejected, logging in again");
                    session::cache().invalidate(&session::key(&self.creds), &session).await;
                    retried = true;
                }
                Err(status) => return Err(status.into()),
            }
        }
    }

    /// Logs in, unless this client's session is already open.
    pub async fn login(&self) -> Result<(), ClientError> {
        self.session().await.map(drop)
    }

    /// Ends the session that every client of this endpoint and user shares. A token the server
    /// had already dropped counts as logged out.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let Some(session) = session::cache().take(&session::key(&self.creds)).await else {
            return Ok(());
        };
        let mut request = tonic::Request::new(());
        request.metadata_mut().insert(TOKEN_KEY, session.token.clone());
        request.set_timeout(self.timeout.unwrap_or(SESSION_CALL_TIMEOUT));
        match PopClient::new(session.channel.clone()).logout(request).await {
            Err(status) if status.code() != Code::Unauthenticated => Err(status.into()),
            _ => Ok(()),
        }
    }

    pub async fn info(&self) -> Result<pb::Infos, ClientError> {
        self.call((), self.timeout, |mut c, r| async move { c.info(r).await }).await
    }

    pub async fn containers(&self, filter: &Filter) -> Result<Vec<pb::Container>, ClientError> {
        first_nonempty(filter.attempts(), |f| async {
            let list =
                self.call(f, self.timeout, |mut c, r| async move { c.containers(r).await }).await?;
            Ok(list.list)
        })
        .await
    }

    /// The one container `filter` matches; NOT_FOUND if none does.
    pub async fn container(&self, filter: &Filter) -> Result<pb::Container, ClientError> {
        self.containers(filter)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Status::not_found(format!("container {filter} not found")).into())
    }

    pub async fn flavours(&self, filter: &Filter) -> Result<Vec<pb::Flavour>, ClientError> {
        first_nonempty(filter.attempts(), |f| async {
            let list =
                self.call(f, self.timeout, |mut c, r| async move { c.flavours(r).await }).await?;
            Ok(list.list)
        })
        .await
    }

    pub async fn images(&self, filter: &Filter) -> Result<Vec<pb::Image>, ClientError> {
        first_nonempty(filter.attempts(), |f| async {
            let list =
                self.call(f, self.timeout, |mut c, r| async move { c.images(r).await }).await?;
            Ok(list.list)
        })
        .await
    }

    /// Adds the image directory at `path` to the site's image catalogue. `path` is absolute and
    /// on popd's own host: popd reads the directory there.
    pub async fn import_image(&self, path: &str) -> Result<pb::Image, ClientError> {
        let message = pb::ImageImport { path: path.to_owned() };
        self.call(message, self.timeout, |mut c, r| async move { c.import_image(r).await }).await
    }

    /// Reserves the container's addresses; nothing runs yet.
    pub async fn create(&self, config: pb::ContainerConfig) -> Result<pb::Container, ClientError> {
        self.call(config, self.timeout, |mut c, r| async move { c.create(r).await }).await
    }

    pub async fn delete(&self, filter: &Filter) -> Result<(), ClientError> {
        first_found(filter.attempts(), |f| {
            self.call(f, self.timeout, |mut c, r| async move { c.delete(r).await })
        })
        .await
    }

    /// Merges `entries` into the container's metadata; an empty value deletes its key.
    pub async fn metadata(
        &self,
        filter: &Filter,
        entries: HashMap<String, String>,
    ) -> Result<(), ClientError> {
        first_found(filter.attempts(), |f| {
            let message = pb::NewMetadata {
                filter: Some(f),
                md: Some(pb::Metadata { entries: entries.clone() }),
            };
            self.call(message, self.timeout, |mut c, r| async move { c.metadata(r).await })
        })
        .await
    }

    pub async fn start(&self, filter: &Filter) -> Result<pb::Container, ClientError> {
        first_found(filter.attempts(), |f| {
            self.call(f, self.timeout, |mut c, r| async move { c.start(r).await })
        })
        .await
    }

    /// Stops the container. `timeout` is the call's deadline, which popd takes as how long the
    /// workload has to end before it is killed; without it, the client's timeout or popd's
    /// default applies.
    pub async fn stop(
        &self,
        filter: &Filter,
        timeout: Option<Duration>,
    ) -> Result<(), ClientError> {
        let timeout = timeout.or(self.timeout);
        first_found(filter.attempts(), |f| {
            self.call(f, timeout, |mut c, r| async move { c.stop(r).await })
        })
        .await
    }

    /// Runs `command` in the container's running workload, `env` added to its environment,
    /// killed after `timeout` (popd's default, 30 s, if none). The call waits for the command,
    /// so its own deadline is the command's and some more.
    pub async fn exec(
        &self,
        filter: &Filter,
        command: &[String],
        env: &HashMap<String, String>,
        timeout: Option<Duration>,
    ) -> Result<pb::ExecReply, ClientError> {
        let timeout_ms = timeout.map_or(0, |t| u32::try_from(t.as_millis()).unwrap_or(u32::MAX));
        let deadline = timeout.unwrap_or(Duration::from_secs(30)) + Duration::from_secs(15);
        first_found(filter.attempts(), |f| async {
            let message = pb::ExecRequest {
                filter: Some(f),
                command: command.to_vec(),
                env: env.clone(),
                timeout_ms,
            };
            self.call(message, Some(deadline), |mut c, r| async move { c.exec(r).await }).await
        })
        .await
    }

    /// The workload's output, only its last `tail` lines if given; a reply holds at most
    /// about 4 MiB, the last part of a longer output (`truncated` then says so).
    pub async fn logs(
        &self,
        filter: &Filter,
        tail: Option<u32>,
    ) -> Result<pb::LogsReply, ClientError> {
        first_found(filter.attempts(), |f| async {
            let message = pb::LogsRequest { filter: Some(f), tail: tail.unwrap_or(0) };
            self.call(message, self.timeout, |mut c, r| async move { c.logs(r).await }).await
        })
        .await
    }
}

/// Info without logging in, to check that a popd answers. popd may refuse it (UNAUTHENTICATED).
pub async fn info_anonymous(
    endpoint: &str,
    ca: Option<&[u8]>,
    timeout: Option<Duration>,
) -> Result<pb::Infos, ClientError> {
    let channel = session::connect(endpoint, ca).await?;
    let mut request = tonic::Request::new(());
    if let Some(timeout) = timeout {
        request.set_timeout(timeout);
    }
    Ok(PopClient::new(channel).info(request).await?.into_inner())
}

/// Runs `rpc` with each attempt in turn, moving on only when the server answered NOT_FOUND; if
/// every attempt does, the first answer is the error (it names what the caller typed).
pub(crate) async fn first_found<P, T, Fut>(
    attempts: Vec<P>,
    rpc: impl Fn(P) -> Fut,
) -> Result<T, ClientError>
where
    Fut: Future<Output = Result<T, ClientError>>,
{
    let mut not_found = None;
    for attempt in attempts {
        match rpc(attempt).await {
            Err(err) if err.code() == Some(Code::NotFound) => {
                not_found.get_or_insert(err);
            }
            other => return other,
        }
    }
    Err(not_found.unwrap_or_else(|| Status::not_found("nothing to look up").into()))
}

/// Runs `rpc` with each attempt in turn until one lists something.
pub(crate) async fn first_nonempty<P, T, Fut>(
    attempts: Vec<P>,
    rpc: impl Fn(P) -> Fut,
) -> Result<Vec<T>, ClientError>
where
    Fut: Future<Output = Result<Vec<T>, ClientError>>,
{
    for attempt in attempts {
        let list = rpc(attempt).await?;
        if !list.is_empty() {
            return Ok(list);
        }
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_print_the_password() {
        let creds = Credentials {
            endpoint: "http://127.0.0.1:60000".into(),
            username: "admin".into(),
            password: "hunter2".into(),
            ca: None,
        };
        assert!(!format!("{creds:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn first_found_moves_on_only_after_not_found() {
        let found = first_found(vec!["name", "id"], |attempt| async move {
            match attempt {
                "name" => Err(Status::not_found("container web not found").into()),
                _ => Ok(attempt),
            }
        })
        .await;
        assert_eq!(found.unwrap(), "id");

        let refused = first_found(vec!["name", "id"], |attempt| async move {
            match attempt {
                "name" => Err(Status::failed_precondition("not CREATED").into()),
                _ => Ok(attempt),
            }
        })
        .await;
        assert_eq!(refused.unwrap_err().code(), Some(Code::FailedPrecondition));
    }

    #[tokio::test]
    async fn first_found_reports_the_first_not_found() {
        let err = first_found(vec!["name", "id"], |attempt| async move {
            Err::<(), _>(Status::not_found(format!("{attempt} not found")).into())
        })
        .await
        .unwrap_err();
        assert_eq!(err.to_string(), "name not found");
    }

    #[tokio::test]
    async fn first_nonempty_tries_the_id_after_an_empty_name() {
        let list = first_nonempty(vec!["name", "id"], |attempt| async move {
            Ok(if attempt == "id" { vec![attempt] } else { vec![] })
        })
        .await
        .unwrap();
        assert_eq!(list, vec!["id"]);
    }
}
