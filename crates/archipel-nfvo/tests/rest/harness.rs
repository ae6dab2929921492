use std::sync::Arc;

use archipel_nfvo::api::{self, NfvoHandle};
use archipel_nfvo::client::NfvoClient;
use archipel_nfvo::engine::SiteSpec;
use archipel_nfvo::store::Store;
use archipel_nfvo::vim::FakeVims;
use archipel_nfvo::{Nfvo, NfvoConfig};

/// The example NSD: the thesis's Appendix C.
pub const SIPP: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/sipp/nsd.json"));

/// The API on a loopback port; dropping it stops the server.
pub struct Api {
    /// A client logged in as the admin.
    pub client: NfvoClient,
    pub fake: FakeVims,
    pub nfvo: Nfvo,
    pub base: String,
    /// The admin's login token, which [`Api::call`] sends.
    pub token: String,
    http: reqwest::Client,
    _handle: NfvoHandle,
}

/// The admin every test API starts with.
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// A raw answer: status, content type, body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub location: Option<String>,
    pub www_authenticate: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
}

impl Api {
    /// Serves an NFVO with sites `sites` (all answering through the fake).
    pub async fn start(sites: &[&str]) -> Self {
        Self::start_with(sites, NfvoConfig::default()).await
    }

    /// The same with `config` (its subnet pool replaced by the tests' own).
    pub async fn start_with(sites: &[&str], config: NfvoConfig) -> Self {
        let fake = FakeVims::new();
        let config = NfvoConfig { subnet_pool: "10.200.0.0/22".parse().unwrap(), ..config };
        let nfvo = Nfvo::new(Store::in_memory().unwrap(), Arc::new(fake.clone()), config).unwrap();
        for site in sites {
            let spec = SiteSpec {
                name: (*site).to_owned(),
                pop_endpoint: format!("http://{site}.invalid:60000"),
                username: "admin".to_owned(),
                password: "secret".to_owned(),
                agent_endpoint: None,
                agent_token: None,
            };
            nfvo.add_site(spec).await.unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let handle = api::start(listener, nfvo.clone()).unwrap();
        let base = format!("http://{}", handle.local_addr());
        assert!(nfvo.bootstrap_admin(ADMIN, ADMIN_PASSWORD).await.unwrap());
        let client = NfvoClient::new(&base).unwrap();
        let token = client.login(ADMIN, ADMIN_PASSWORD).await.unwrap().token;
        Self {
            client: client.with_token(token.clone()),
            fake,
            nfvo,
            base,
            token,
            http: reqwest::Client::new(),
            _handle: handle,
        }
    }

    /// Sends `body` with `content_type` as the admin and reads the answer as JSON (null if
    /// empty).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        self.call_as(Some(&self.token), method, path, content_type, body).await
    }

    /// The same with `token` as the bearer credential, or none.
    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base)).body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let header =
            |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        let content_type = header("content-type").unwrap_or_default();
        let location = header("location");
        let www_authenticate = header("www-authenticate");
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}: {bytes:?}"))
        };
        Answer { status, content_type, location, www_authenticate, headers, body }
    }

    /// GETs `path` as the admin: status, content type and the body as text.
    pub async fn get_text(&self, path: &str) -> (u16, String, String) {
        let url = format!("{}{path}", self.base);
        let response = self.http.get(url).bearer_auth(&self.token).send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    /// Sends `body` with `headers` as the admin; the answer's status, headers and bytes.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request =
            self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.body(body).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    /// As [`Api::raw`], the answer read as JSON (null if empty).
    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let (status, headers, bytes) = self.raw(method, path, headers, body).await;
        let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        let body = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}: {bytes:?}"))
        };
        Answer {
            status,
            content_type: header("content-type").unwrap_or_default(),
            location: header("location"),
            www_authenticate: header("www-authenticate"),
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None, Vec::new()).await
    }

    /// GETs `path` with `query`, written as it goes on the wire (its `(`, `,` and `;` as they
    /// are; ETSI's clients do not encode them).
    pub async fn get_query(&self, path: &str, query: &str) -> Answer {
        let target = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
        self.get(&target).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Answer {
        self.call("POST", path, Some("application/json"), serde_json::to_vec(body).unwrap()).await
    }
}

/// Asserts a problem-details answer with `status`, and returns it.
pub fn problem(answer: &Answer, status: u16) -> &serde_json::Value {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    let body = &answer.body;
    assert_eq!(body["status"], status);
    for field in ["type", "title", "detail"] {
        assert!(body[field].as_str().is_some_and(|s| !s.is_empty()), "{field} in {body}");
    }
    assert!(body["type"].as_str().unwrap().starts_with("urn:archipel:problem:"));
    body
}
