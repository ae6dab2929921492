//! East-West over TLS: the caller is the peer its verified client certificate names, as the
//! daemon kit's `serve_https` reports it. A real agent router served over TLS on loopback,
//! certificates from a test CA; needs nothing privileged.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use archipel_agent::api::{self, Secrets};
use archipel_agent::testing::BridgeVim;
use archipel_agent::{Agent, AgentConfig, HttpPeers, Store, KEY_HEADER, SITE_HEADER};
use archipel_daemon::pki;
use archipel_daemon::tls::{client_config, serve_https, server_config};
use archipel_netlink::iptables::FakeFirewall;
use archipel_netlink::FakeNetlink;
use serde_json::json;

const TOKEN: &str = "north-test-token";
const KEY: &str = "b-and-a-key";

/// A CA and the certificates it issued, as PEM files, made by the kit's `pki` (as
/// `archipel pki` makes them).
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        pki::init(dir.path()).unwrap();
        Pki { dir }
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// `name.pem` and `name.key`, a certificate for the DNS names and IP addresses in `sans`.
    fn issue(&self, name: &str, sans: &[&str]) -> (PathBuf, PathBuf) {
        let (ips, dns): (Vec<&str>, Vec<&str>) =
            sans.iter().partition(|s| s.parse::<std::net::IpAddr>().is_ok());
        let names = pki::Names {
            dns: dns.into_iter().map(str::to_owned).collect(),
            ips: ips.into_iter().map(|ip| ip.parse().unwrap()).collect(),
        };
        pki::issue(self.dir.path(), name, &names).unwrap()
    }

    /// A client trusting the CA, presenting the certificate `name` when given.
    fn client(&self, name: Option<&str>) -> reqwest::Client {
        let files = name.map(|n| {
            (self.dir.path().join(format!("{n}.pem")), self.dir.path().join(format!("{n}.key")))
        });
        let identity = files.as_ref().map(|(c, k)| (c.as_path(), k.as_path()));
        let config = client_config(&self.ca(), identity).unwrap();
        reqwest::Client::builder().use_preconfigured_tls(config).build().unwrap()
    }
}

/// Site a's agent (peers b and c, no popd: a VIM on a fake kernel) served over TLS; its URL.
async fn serve(pki: &Pki, dir: &Path) -> String {
    let (cert, key) = pki.issue("a", &["a", "127.0.0.1"]);
    let nl = FakeNetlink::new();
    let mut cfg = AgentConfig::new("a", Ipv4Addr::new(192, 0, 2, 1));
    cfg.peers =
        [("b", 2), ("c", 3)].map(|(s, i)| (s.to_owned(), Ipv4Addr::new(192, 0, 2, i))).into();
    let peers = HttpPeers::new("a", Default::default(), Duration::from_secs(1));
    let vim = BridgeVim::new("site-a", nl.clone());
    let (store, fw) = (Store::open(dir).unwrap(), Arc::new(FakeFirewall::new()));
    let agent = Agent::new(cfg, store, Arc::new(vim), Arc::new(nl), fw, Arc::new(peers));
    let secrets = Secrets { north_token: TOKEN.into(), peer_keys: Default::default() };
    let app = api::router(Arc::new(agent), secrets);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = server_config(&cert, &key, Some(&pki.ca())).unwrap();
    tokio::spawn(serve_https(listener, app, tls, std::future::pending()));
    format!("https://127.0.0.1:{port}")
}

#[tokio::test]
async fn an_east_west_caller_is_the_peer_its_client_certificate_names() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let base = serve(&pki, dir.path()).await;
    pki.issue("b", &["b"]);
    pki.issue("x", &["x"]);
    let vni_free = format!("{base}/intersite-horizontal/vni-free?vni=7");
    let status = |client: reqwest::Client, url: String| async move {
        client.get(url).send().await.unwrap().status().as_u16()
    };

    assert_eq!(status(pki.client(None), vni_free.clone()).await, 401, "no certificate");
    let keyed = pki.client(None).get(&vni_free).header(SITE_HEADER, "b").header(KEY_HEADER, KEY);
    assert_eq!(keyed.send().await.unwrap().status(), 401, "a key is no certificate");
    let stranger = pki.client(Some("x")).get(&vni_free).send().await.unwrap();
    assert_eq!(stranger.status(), 403, "a certificate of the CA for a site that is no peer");
    let detail = stranger.json::<serde_json::Value>().await.unwrap()["detail"].clone();
    assert_eq!(detail, "the client certificate names x, no peer of this site");
    assert_eq!(status(pki.client(Some("b")), vni_free).await, 200, "peer b");

    let join = json!({"service": {"global_id": "c-0badcafe", "type": "l2", "name": "x",
        "master": "c", "params": {}, "resources": []}});
    let forged = pki.client(Some("b")).post(format!("{base}/intersite-horizontal")).json(&join);
    let forged = forged.send().await.unwrap();
    assert_eq!(forged.status(), 403, "b names c as the master");
    let detail = forged.json::<serde_json::Value>().await.unwrap()["detail"].clone();
    assert_eq!(detail, "site b called, but the request names site c as the master");

    let north = format!("{base}/intersite-vertical");
    assert_eq!(status(pki.client(None), north.clone()).await, 401);
    let with_token = pki.client(None).get(&north).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(with_token.status(), 200, "North callers need no certificate");
}
