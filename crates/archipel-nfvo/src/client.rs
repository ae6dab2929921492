//! A typed client of the NFVO's REST API, for the `archipel` clients and for tests.

use std::time::Duration;

use archipel_daemon::tls::ClientConfig;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::api::dto::{
    AckState, AlarmInfo, AlarmModifications, ApiKeyCreated, ApiKeyInfo, ApiKeyRequest,
    CreateNsRequest, CreateVnfPkgInfoRequest, HealNsRequest, InstantiateNsRequest, LoginRequest,
    LoginResponse, NsInstance, NsLcmOpOcc, NsdInfo, Problem, ScaleNsRequest, SiteInfo, SiteRequest,
    UpdateNsRequest, UserInfo, UserRequest, VnfPkgInfo,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("invalid NFVO endpoint {endpoint:?}: expected http://HOST:PORT")]
    Endpoint {
        endpoint: String,
        #[source]
        source: BoxError,
    },
    #[error("cannot reach the NFVO at {endpoint}; check that `archipel nfvo` runs there")]
    Unreachable {
        endpoint: String,
        #[source]
        source: reqwest::Error,
    },
    /// The NFVO refused the request; the problem details say why.
    #[error("{0}")]
    Problem(Problem),
    /// No credentials, or a token that is unknown, revoked or expired; the NFVO's detail says
    /// to log in (`archipel login`).
    #[error("{0}")]
    Unauthorized(Problem),
    #[error("the NFVO answered {status} with an unexpected body")]
    Unexpected {
        status: u16,
        #[source]
        source: BoxError,
    },
}

impl ClientError {
    /// The problem details the NFVO answered, if it refused the request.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Problem(problem) | ClientError::Unauthorized(problem) => Some(problem),
            _ => None,
        }
    }
}

/// A client of one NFVO, with the bearer credential (a login token or an API key) it sends.
#[derive(Clone)]
pub struct NfvoClient {
    base: reqwest::Url,
    http: reqwest::Client,
    token: Option<String>,
}

impl std::fmt::Debug for NfvoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NfvoClient")
            .field("base", &self.base.as_str())
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .finish_non_exhaustive()
    }
}

impl NfvoClient {
    /// A client of the NFVO at `endpoint` (`http://HOST:PORT`).
    pub fn new(endpoint: &str) -> Result<Self, ClientError> {
        Self::with_tls(endpoint, None)
    }

    /// As [`NfvoClient::new`], reaching an `https://` endpoint with `tls`.
    pub fn with_tls(endpoint: &str, tls: Option<ClientConfig>) -> Result<Self, ClientError> {
        let invalid =
            |source: BoxError| ClientError::Endpoint { endpoint: endpoint.to_owned(), source };
        let base = reqwest::Url::parse(endpoint).map_err(|e| invalid(Box::new(e)))?;
        let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(60));
        if let Some(tls) = tls {
            builder = builder.use_preconfigured_tls(tls);
        }
        let http = builder.build().map_err(|e| invalid(Box::new(e)))?;
        Ok(Self { base, http, token: None })
    }

    /// The same client, sending `token` as `Authorization: Bearer` on every request.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn endpoint(&self) -> &str {
        self.base.as_str()
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut url = self.base.clone();
        url.set_path(path);
        let request = self.http.request(method, url);
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn send(&self, request: RequestBuilder) -> Result<reqwest::Response, ClientError> {
        let response = request.send().await.map_err(|source| ClientError::Unreachable {
            endpoint: self.base.to_string(),
            source,
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let bytes = response.bytes().await.map_err(|e| unexpected(status, Box::new(e)))?;
        let problem: Problem =
            serde_json::from_slice(&bytes).map_err(|e| unexpected(status, Box::new(e)))?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(ClientError::Unauthorized(problem));
        }
        Err(ClientError::Problem(problem))
    }

    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, ClientError> {
        let response = self.send(request).await?;
        let status = response.status();
        response.json().await.map_err(|e| unexpected(status, Box::new(e)))
    }

    /// Every item of a SOL005 collection, its pages followed (SOL013: a `Link` header with
    /// `rel="next"` names the next).
    async fn all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, ClientError> {
        let mut items = Vec::new();
        let mut target = path.to_owned();
        loop {
            let (path, query) = match target.split_once('?') {
                Some((path, query)) => (path, Some(query)),
                None => (target.as_str(), None),
            };
            let mut url = self.base.clone();
            url.set_path(path);
            url.set_query(query);
            let mut request = self.http.get(url);
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let response = self.send(request).await?;
            let status = response.status();
            let next = response
                .headers()
                .get(reqwest::header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(next_page);
            let page: Vec<T> =
                response.json().await.map_err(|e| unexpected(status, Box::new(e)))?;
            items.extend(page);
            match next {
                Some(next) => target = next,
                None => return Ok(items),
            }
        }
    }

    /// Onboards an NSD (the bytes as they are, Open Baton's JSON).
    pub async fn onboard_nsd(&self, content: Vec<u8>) -> Result<NsdInfo, ClientError> {
        let request = self
            .request(Method::POST, "/nsd/v1/ns_descriptors")
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(content);
        self.json(request).await
    }

    pub async fn nsds(&self) -> Result<Vec<NsdInfo>, ClientError> {
        self.all("/nsd/v1/ns_descriptors").await
    }

    pub async fn nsd(&self, id: &str) -> Result<NsdInfo, ClientError> {
        self.json(self.request(Method::GET, &format!("/nsd/v1/ns_descriptors/{id}"))).await
    }

    /// Disables an NSD (SOL005: it makes no new network service, and can then be deleted).
    pub async fn disable_nsd(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/nsd/v1/ns_descriptors/{id}");
        let request = self
            .request(Method::PATCH, &path)
            .header(reqwest::header::CONTENT_TYPE, "application/merge-patch+json")
            .body(r#"{"nsdOperationalState": "DISABLED"}"#);
        self.send(request).await.map(drop)
    }

    /// Acknowledges alarm `id`, or (`acknowledged` false) takes the acknowledgement back.
    pub async fn acknowledge_alarm(&self, id: &str, acknowledged: bool) -> Result<(), ClientError> {
        let path = format!("/nsfm/v1/alarms/{id}");
        let body = AlarmModifications { ack_state: AckState::of(acknowledged) };
        let request = self
            .request(Method::PATCH, &path)
            .header(reqwest::header::CONTENT_TYPE, "application/merge-patch+json")
            .json(&body);
        self.send(request).await.map(drop)
    }

    /// Deletes a disabled NSD.
    pub async fn delete_nsd(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/nsd/v1/ns_descriptors/{id}");
        self.send(self.request(Method::DELETE, &path)).await.map(drop)
    }

    /// Makes a VNF package and uploads `content` (an Open Baton package's tar) into it; a
    /// refused upload deletes the empty package again.
    pub async fn upload_package(&self, content: Vec<u8>) -> Result<VnfPkgInfo, ClientError> {
        let request = self
            .request(Method::POST, "/vnfpkgm/v1/vnf_packages")
            .json(&CreateVnfPkgInfoRequest::default());
        let created: VnfPkgInfo = self.json(request).await?;
        let path = format!("/vnfpkgm/v1/vnf_packages/{}/package_content", created.id);
        let upload = self
            .request(Method::PUT, &path)
            .header(reqwest::header::CONTENT_TYPE, "application/x-tar")
            .body(content);
        if let Err(err) = self.send(upload).await {
            // Best effort: the refusal is what the caller needs to hear.
            let _ = self.delete_package(&created.id).await;
            return Err(err);
        }
        self.package(&created.id).await
    }

    pub async fn packages(&self) -> Result<Vec<VnfPkgInfo>, ClientError> {
        self.all("/vnfpkgm/v1/vnf_packages").await
    }

    pub async fn package(&self, id: &str) -> Result<VnfPkgInfo, ClientError> {
        self.json(self.request(Method::GET, &format!("/vnfpkgm/v1/vnf_packages/{id}"))).await
    }

    /// Disables an onboarded package (SOL005: no new NSD may name it, and it can be deleted).
    pub async fn disable_package(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/vnfpkgm/v1/vnf_packages/{id}");
        let request = self
            .request(Method::PATCH, &path)
            .header(reqwest::header::CONTENT_TYPE, "application/merge-patch+json")
            .body(r#"{"operationalState": "DISABLED"}"#);
        self.send(request).await.map(drop)
    }

    /// Deletes a DISABLED package.
    pub async fn delete_package(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/vnfpkgm/v1/vnf_packages/{id}");
        self.send(self.request(Method::DELETE, &path)).await.map(drop)
    }

    pub async fn create_ns(&self, request: &CreateNsRequest) -> Result<NsInstance, ClientError> {
        let path = "/nslcm/v1/ns_instances";
        self.json(self.request(Method::POST, path).json(request)).await
    }

    pub async fn ns_instances(&self) -> Result<Vec<NsInstance>, ClientError> {
        self.all("/nslcm/v1/ns_instances").await
    }

    pub async fn ns_instance(&self, id: &str) -> Result<NsInstance, ClientError> {
        self.json(self.request(Method::GET, &format!("/nslcm/v1/ns_instances/{id}"))).await
    }

    pub async fn delete_ns(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/nslcm/v1/ns_instances/{id}");
        self.send(self.request(Method::DELETE, &path)).await.map(drop)
    }

    pub async fn instantiate(
        &self,
        id: &str,
        request: &InstantiateNsRequest,
    ) -> Result<NsLcmOpOcc, ClientError> {
        let path = format!("/nslcm/v1/ns_instances/{id}/instantiate");
        self.json(self.request(Method::POST, &path).json(request)).await
    }

    pub async fn scale(
        &self,
        id: &str,
        request: &ScaleNsRequest,
    ) -> Result<NsLcmOpOcc, ClientError> {
        let path = format!("/nslcm/v1/ns_instances/{id}/scale");
        self.json(self.request(Method::POST, &path).json(request)).await
    }

    pub async fn terminate(&self, id: &str) -> Result<NsLcmOpOcc, ClientError> {
        let path = format!("/nslcm/v1/ns_instances/{id}/terminate");
        let request = self.request(Method::POST, &path).json(&serde_json::json!({}));
        self.json(request).await
    }

    pub async fn heal(&self, id: &str, request: &HealNsRequest) -> Result<NsLcmOpOcc, ClientError> {
        let path = format!("/nslcm/v1/ns_instances/{id}/heal");
        self.json(self.request(Method::POST, &path).json(request)).await
    }

    pub async fn update(
        &self,
        id: &str,
        request: &UpdateNsRequest,
    ) -> Result<NsLcmOpOcc, ClientError> {
        let path = format!("/nslcm/v1/ns_instances/{id}/update");
        self.json(self.request(Method::POST, &path).json(request)).await
    }

    pub async fn alarms(&self) -> Result<Vec<AlarmInfo>, ClientError> {
        self.all("/nsfm/v1/alarms").await
    }

    pub async fn op_occs(&self) -> Result<Vec<NsLcmOpOcc>, ClientError> {
        self.all("/nslcm/v1/ns_lcm_op_occs").await
    }

    pub async fn op_occ(&self, id: &str) -> Result<NsLcmOpOcc, ClientError> {
        self.json(self.request(Method::GET, &format!("/nslcm/v1/ns_lcm_op_occs/{id}"))).await
    }

    /// Polls operation `id` until it is no longer PROCESSING; `progress` sees every answer.
    pub async fn wait(
        &self,
        id: &str,
        mut progress: impl FnMut(&NsLcmOpOcc),
    ) -> Result<NsLcmOpOcc, ClientError> {
        loop {
            let op = self.op_occ(id).await?;
            progress(&op);
            if op.operation_state != "PROCESSING" {
                return Ok(op);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn add_site(&self, request: &SiteRequest) -> Result<SiteInfo, ClientError> {
        self.json(self.request(Method::POST, "/sites").json(request)).await
    }

    pub async fn sites(&self) -> Result<Vec<SiteInfo>, ClientError> {
        self.json(self.request(Method::GET, "/sites")).await
    }

    pub async fn site(&self, name: &str) -> Result<SiteInfo, ClientError> {
        self.json(self.request(Method::GET, &format!("/sites/{name}"))).await
    }

    pub async fn remove_site(&self, name: &str) -> Result<(), ClientError> {
        self.send(self.request(Method::DELETE, &format!("/sites/{name}"))).await.map(drop)
    }

    /// Logs in: a token for [`NfvoClient::with_token`].
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<LoginResponse, ClientError> {
        let body = LoginRequest { username: username.to_owned(), password: password.to_owned() };
        self.json(self.request(Method::POST, "/auth/v1/login").json(&body)).await
    }

    /// Forgets the token this client sends.
    pub async fn logout(&self) -> Result<(), ClientError> {
        self.send(self.request(Method::POST, "/auth/v1/logout")).await.map(drop)
    }

    pub async fn add_user(&self, request: &UserRequest) -> Result<UserInfo, ClientError> {
        self.json(self.request(Method::POST, "/auth/v1/users").json(request)).await
    }

    pub async fn users(&self) -> Result<Vec<UserInfo>, ClientError> {
        self.json(self.request(Method::GET, "/auth/v1/users")).await
    }

    pub async fn remove_user(&self, name: &str) -> Result<(), ClientError> {
        let path = format!("/auth/v1/users/{name}");
        self.send(self.request(Method::DELETE, &path)).await.map(drop)
    }

    pub async fn create_api_key(
        &self,
        request: &ApiKeyRequest,
    ) -> Result<ApiKeyCreated, ClientError> {
        self.json(self.request(Method::POST, "/auth/v1/api_keys").json(request)).await
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, ClientError> {
        self.json(self.request(Method::GET, "/auth/v1/api_keys")).await
    }

    pub async fn revoke_api_key(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/auth/v1/api_keys/{id}");
        self.send(self.request(Method::DELETE, &path)).await.map(drop)
    }

    /// `GET /health`, which needs no credentials.
    pub async fn health(&self) -> Result<(), ClientError> {
        self.send(self.request(Method::GET, "/health")).await.map(drop)
    }

    /// Reads the event stream (`GET /archipel/v1/events`), handing `each` every event, until
    /// the stream ends: after the events kept so far, or, with `follow`, when the NFVO stops.
    pub async fn events(
        &self,
        follow: bool,
        mut each: impl FnMut(StreamedEvent),
    ) -> Result<(), ClientError> {
        let request = self
            .request(Method::GET, "/archipel/v1/events")
            .query(&[("follow", follow)])
            // The stream lasts as long as the NFVO: no overall timeout.
            .timeout(Duration::from_secs(u64::from(u32::MAX)));
        let mut response = self.send(request).await?;
        let status = response.status();
        let mut pending = String::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|e| unexpected(status, Box::new(e)))?
        {
            pending.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = pending.find("\n\n") {
                let block: String = pending.drain(..end + 2).collect();
                if let Some(event) =
                    StreamedEvent::parse(&block).map_err(|e| unexpected(status, Box::new(e)))?
                {
                    each(event);
                }
            }
            if pending.len() > EVENT_LIMIT {
                let e = format!("an event longer than {EVENT_LIMIT} bytes");
                return Err(unexpected(status, e.into()));
            }
        }
        Ok(())
    }

    /// The API's OpenAPI document.
    pub async fn openapi(&self) -> Result<serde_json::Value, ClientError> {
        self.json(self.request(Method::GET, "/openapi.json")).await
    }
}

/// The longest event the client reads.
pub const EVENT_LIMIT: usize = 1024 * 1024;

/// One event of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamedEvent {
    /// lifecycle, alarm or health.
    pub kind: String,
    /// Its rank on the NFVO's bus.
    pub id: Option<u64>,
    /// At least `nsInstanceId`, `type` and `time`.
    pub data: serde_json::Value,
}

impl StreamedEvent {
    /// An event block of the stream; None for a block without data (a comment, a keep-alive).
    fn parse(block: &str) -> Result<Option<Self>, serde_json::Error> {
        let (mut kind, mut id, mut data) = (String::from("message"), None, String::new());
        for line in block.lines() {
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => value.clone_into(&mut kind),
                "id" => id = value.parse().ok(),
                "data" => {
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(value);
                }
                _ => {}
            }
        }
        if data.is_empty() {
            return Ok(None);
        }
        Ok(Some(Self { kind, id, data: serde_json::from_str(&data)? }))
    }
}

fn unexpected(status: StatusCode, source: BoxError) -> ClientError {
    ClientError::Unexpected { status: status.as_u16(), source }
}

/// The target of a `Link` header's `rel="next"`.
fn next_page(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_owned())
    })
}
