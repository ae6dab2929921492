//! The session cache and the transparent re-login against an in-process fake popd.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use archipel_pop_client::pb::pop_server::{Pop, PopServer};
use archipel_pop_client::{pb, Client, ClientError, Code, Credentials, Filter};
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// Accepts admin:secret, hands out numbered tokens, and knows one container, web (id c1).
#[derive(Default)]
struct FakePop {
    logins: AtomicUsize,
    tokens: Mutex<HashSet<String>>,
}

impl FakePop {
    fn check<T>(&self, request: &Request<T>) -> Result<(), Status> {
        let token = request.metadata().get("token").and_then(|v| v.to_str().ok());
        match token {
            Some(token) if self.tokens.lock().unwrap().contains(token) => Ok(()),
            _ => Err(Status::unauthenticated("invalid token")),
        }
    }

    fn expire_all(&self) {
        self.tokens.lock().unwrap().clear();
    }

    fn web() -> pb::Container {
        pb::Container { id: "c1".into(), names: vec!["web".into()], ..Default::default() }
    }

    fn matches_web(filter: &pb::Filter) -> bool {
        use pb::filter::Options;
        match &filter.options {
            None => true,
            Some(Options::Id(id)) => id == "c1",
            Some(Options::Name(name)) => name == "web",
        }
    }
}

fn unimplemented<T>() -> Reply<T> {
    Err(Status::unimplemented("not in the fake"))
}

#[tonic::async_trait]
impl Pop for FakePop {
    type WatchStream = tonic::codegen::tokio_stream::Empty<Result<pb::ContainerEvent, Status>>;

    async fn login(&self, request: Request<pb::Credentials>) -> Reply<pb::Token> {
        let n = self.logins.fetch_add(1, Ordering::SeqCst);
        let creds = request.into_inner();
        if (creds.username.as_str(), creds.password.as_str()) != ("admin", "secret") {
            return Err(Status::unauthenticated("invalid username or password"));
        }
        let token = format!("token-{n}");
        self.tokens.lock().unwrap().insert(token.clone());
        Ok(Response::new(pb::Token { value: token }))
    }

    async fn logout(&self, request: Request<()>) -> Reply<()> {
        self.check(&request)?;
        let token = request.metadata().get("token").unwrap().to_str().unwrap();
        self.tokens.lock().unwrap().remove(token);
        Ok(Response::new(()))
    }

    async fn info(&self, request: Request<()>) -> Reply<pb::Infos> {
        self.check(&request)?;
        Ok(Response::new(pb::Infos { r#type: "fake".into(), name: "fake".into(), timestamp: 0 }))
    }

    async fn containers(&self, request: Request<pb::Filter>) -> Reply<pb::ContainerList> {
        self.check(&request)?;
        let list = Some(Self::web())
            .filter(|_| Self::matches_web(request.get_ref()))
            .into_iter()
            .collect();
        Ok(Response::new(pb::ContainerList { list }))
    }

    async fn start(&self, request: Request<pb::Filter>) -> Reply<pb::Container> {
        self.check(&request)?;
        if !Self::matches_web(request.get_ref()) {
            return Err(Status::not_found("container not found"));
        }
        Ok(Response::new(Self::web()))
    }

    async fn flavours(&self, _: Request<pb::Filter>) -> Reply<pb::FlavourList> {
        unimplemented()
    }
    async fn images(&self, _: Request<pb::Filter>) -> Reply<pb::ImageList> {
        unimplemented()
    }
    async fn networks(&self, _: Request<pb::Filter>) -> Reply<pb::NetworkList> {
        unimplemented()
    }
    async fn create(&self, _: Request<pb::ContainerConfig>) -> Reply<pb::Container> {
        unimplemented()
    }
    async fn delete(&self, _: Request<pb::Filter>) -> Reply<()> {
        unimplemented()
    }
    async fn metadata(&self, _: Request<pb::NewMetadata>) -> Reply<()> {
        unimplemented()
    }
    async fn stop(&self, _: Request<pb::Filter>) -> Reply<()> {
        unimplemented()
    }
    async fn create_network(&self, _: Request<pb::NetworkConfig>) -> Reply<pb::Network> {
        unimplemented()
    }
    async fn update_network(&self, _: Request<pb::NetworkUpdate>) -> Reply<pb::Network> {
        unimplemented()
    }
    async fn delete_network(&self, _: Request<pb::NetworkFilter>) -> Reply<()> {
        unimplemented()
    }
    async fn watch(&self, _: Request<pb::Filter>) -> Reply<Self::WatchStream> {
        unimplemented()
    }
    async fn logs(&self, _: Request<pb::LogsRequest>) -> Reply<pb::LogsReply> {
        unimplemented()
    }
    async fn import_image(&self, _: Request<pb::ImageImport>) -> Reply<pb::Image> {
        unimplemented()
    }
    async fn exec(&self, _: Request<pb::ExecRequest>) -> Reply<pb::ExecReply> {
        unimplemented()
    }
}

/// Serves a fake popd on a free loopback port for the rest of the test.
fn serve() -> (Arc<FakePop>, String) {
    let fake = Arc::new(FakePop::default());
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let endpoint = format!("http://{}", incoming.local_addr().unwrap());
    let service = PopServer::from_arc(fake.clone());
    tokio::spawn(
        tonic::transport::Server::builder().add_service(service).serve_with_incoming(incoming),
    );
    (fake, endpoint)
}

fn client(endpoint: &str, password: &str) -> Client {
    Client::new(Credentials {
        endpoint: endpoint.to_string(),
        username: "admin".into(),
        password: password.into(),
        ca: None,
    })
}

#[tokio::test]
async fn many_clients_share_one_login() {
    let (fake, endpoint) = serve();
    for _ in 0..5 {
        client(&endpoint, "secret").info().await.unwrap();
    }
    assert_eq!(fake.logins.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_expired_token_is_replaced_without_an_error() {
    let (fake, endpoint) = serve();
    let client = client(&endpoint, "secret");
    client.info().await.unwrap();
    fake.expire_all();
    client.info().await.unwrap();
    assert_eq!(fake.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_logout_by_another_client_is_transparent() {
    let (fake, endpoint) = serve();
    let a = client(&endpoint, "secret");
    a.info().await.unwrap();
    client(&endpoint, "secret").logout().await.unwrap();
    a.info().await.unwrap();
    assert_eq!(fake.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_wrong_password_is_an_error_and_is_not_retried() {
    let (fake, endpoint) = serve();
    let err = client(&endpoint, "wrong").info().await.unwrap_err();
    assert!(matches!(err, ClientError::Login { .. }), "{err:?}");
    assert_eq!(err.code(), Some(Code::Unauthenticated));
    assert_eq!(fake.logins.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_wrong_password_does_not_borrow_a_cached_session() {
    let (_fake, endpoint) = serve();
    client(&endpoint, "secret").info().await.unwrap();
    let err = client(&endpoint, "wrong").info().await.unwrap_err();
    assert_eq!(err.code(), Some(Code::Unauthenticated));
    client(&endpoint, "secret").info().await.unwrap();
}

#[tokio::test]
async fn name_or_id_falls_back_to_the_id() {
    let (_fake, endpoint) = serve();
    let client = client(&endpoint, "secret");
    let started = client.start(&Filter::name_or_id("c1")).await.unwrap();
    assert_eq!(started.id, "c1");
    let listed = client.containers(&Filter::name_or_id("c1")).await.unwrap();
    assert_eq!(listed.len(), 1);
    let missing = client.start(&Filter::name_or_id("nope")).await.unwrap_err();
    assert_eq!(missing.code(), Some(Code::NotFound));
    let none = client.container(&Filter::name_or_id("nope")).await.unwrap_err();
    assert_eq!(none.code(), Some(Code::NotFound));
}

#[tokio::test]
async fn a_refused_connection_names_the_endpoint() {
    // A port that was free a moment ago and has no listener now.
    let endpoint = {
        let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        format!("http://{}", incoming.local_addr().unwrap())
    };
    let err = client(&endpoint, "secret").info().await.unwrap_err();
    assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains(&endpoint));
}
