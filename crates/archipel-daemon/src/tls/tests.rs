use std::net::SocketAddr;
use std::path::PathBuf;

use axum::routing::get;
use axum::Extension;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::*;

/// A CA and what it issued, as PEM files in a temporary directory.
struct Pki {
    dir: TempDir,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, "test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        std::fs::write(dir.path().join("ca.pem"), cert.pem()).unwrap();
        Pki { dir, issuer: Issuer::new(params, key) }
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Issues `name.pem` and `name.key` for `sans` (DNS names or IP addresses).
    fn issue(&self, name: &str, sans: &[&str]) -> (PathBuf, PathBuf) {
        let params =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        self.issue_with(name, params)
    }

    fn issue_with(&self, name: &str, params: CertificateParams) -> (PathBuf, PathBuf) {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let (cert_path, key_path) = (
            self.dir.path().join(format!("{name}.pem")),
            self.dir.path().join(format!("{name}.key")),
        );
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert_path, key_path)
    }
}

/// Serves a router that answers the client certificate's names, until the sender is dropped.
async fn serve(config: Arc<ServerConfig>) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/names",
        get(|Extension(names): Extension<PeerNames>| async move { names.0.join(",") }),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve_https(listener, app, config, async move {
        let _ = stopped.await;
    }));
    (addr, stop)
}

fn client(config: ClientConfig) -> reqwest::Client {
    reqwest::Client::builder().use_preconfigured_tls(config).build().unwrap()
}

#[tokio::test]
async fn a_client_trusting_the_ca_is_served_and_its_certificate_names_reach_the_handler() {
    let pki = Pki::new();
    let (cert, key) = pki.issue("server", &["localhost", "127.0.0.1"]);
    let (addr, _stop) = serve(server_config(&cert, &key, Some(&pki.ca())).unwrap()).await;
    let url = format!("https://127.0.0.1:{}/names", addr.port());

    let anonymous = client(client_config(&pki.ca(), None).unwrap());
    assert_eq!(anonymous.get(&url).send().await.unwrap().text().await.unwrap(), "");

    let (site_cert, site_key) = pki.issue("site-a", &["site-a", "198.18.0.2"]);
    let site = client(client_config(&pki.ca(), Some((&site_cert, &site_key))).unwrap());
    let by_name = format!("https://localhost:{}/names", addr.port());
    assert_eq!(site.get(&by_name).send().await.unwrap().text().await.unwrap(), "site-a");
}

#[tokio::test]
async fn a_server_of_another_ca_or_another_name_is_refused() {
    let pki = Pki::new();
    let (cert, key) = pki.issue("server", &["site-b"]);
    let (addr, _stop) = serve(server_config(&cert, &key, None).unwrap()).await;

    let other = Pki::new();
    let stranger = client(client_config(&other.ca(), None).unwrap());
    let err = stranger.get(format!("https://127.0.0.1:{}/names", addr.port())).send().await;
    let text = crate::chain(&err.unwrap_err());
    assert!(text.contains("invalid peer certificate"), "{text}");

    // The right CA, but the certificate does not name the address the client called.
    let trusting = client(client_config(&pki.ca(), None).unwrap());
    let err = trusting.get(format!("https://127.0.0.1:{}/names", addr.port())).send().await;
    let text = crate::chain(&err.unwrap_err());
    assert!(text.contains("certificate not valid for name \"127.0.0.1\""), "{text}");
}

#[tokio::test]
async fn a_client_certificate_of_another_ca_is_refused() {
    let pki = Pki::new();
    let (cert, key) = pki.issue("server", &["127.0.0.1"]);
    let (addr, _stop) = serve(server_config(&cert, &key, Some(&pki.ca())).unwrap()).await;
    let other = Pki::new();
    let (forged_cert, forged_key) = other.issue("site-a", &["site-a"]);
    let forger = client(client_config(&pki.ca(), Some((&forged_cert, &forged_key))).unwrap());
    let answer = forger.get(format!("https://127.0.0.1:{}/names", addr.port())).send().await;
    assert!(answer.is_err(), "{answer:?}");
}

#[test]
fn errors_name_the_file_and_what_is_wrong() {
    let pki = Pki::new();
    let (cert, key) = pki.issue("server", &["localhost"]);
    let dir = pki.dir.path();

    let missing = dir.join("missing.pem");
    let err = server_config(&missing, &key, None).unwrap_err();
    assert_eq!(
        crate::chain(&err).split(':').next().unwrap(),
        format!("cannot read {}", missing.display())
    );

    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
    let err = client_config(&garbage, None).unwrap_err();
    assert!(err.to_string().ends_with(&format!("{} is not PEM", garbage.display())), "{err}");

    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "hello\n").unwrap();
    assert_eq!(
        client_config(&empty, None).unwrap_err().to_string(),
        format!("{} holds no certificate (expected a PEM \"CERTIFICATE\" block)", empty.display())
    );
    assert_eq!(
        server_config(&cert, &cert, None).unwrap_err().to_string(),
        format!("{} holds no private key (expected a PEM \"PRIVATE KEY\" block)", cert.display())
    );

    let (_, other_key) = pki.issue("other", &["localhost"]);
    assert_eq!(
        server_config(&cert, &other_key, None).unwrap_err().to_string(),
        format!(
            "the key in {} does not belong to the certificate in {}",
            other_key.display(),
            cert.display()
        )
    );

    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let (old_cert, old_key) = pki.issue_with("old", params);
    assert_eq!(
        server_config(&old_cert, &old_key, None).unwrap_err().to_string(),
        format!("the certificate in {} expired", old_cert.display())
    );

    let huge = dir.join("huge.pem");
    std::fs::write(&huge, vec![b'a'; 2 * 1024 * 1024]).unwrap();
    assert!(matches!(read_ca(&huge), Err(TlsError::TooLarge { .. })));
}

#[test]
fn the_identity_never_shows_its_key() {
    let pki = Pki::new();
    let (cert, key) = pki.issue("server", &["localhost"]);
    let identity = Identity::read(&cert, &key).unwrap();
    let shown = format!("{identity:?}");
    assert!(!shown.contains("PRIVATE"), "{shown}");
    assert!(String::from_utf8(identity.key_pem).unwrap().contains("PRIVATE KEY"));
}
