//! Serving an axum router over TLS, like [`crate::serve_http`] does in plain text.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::serve::Listener;
use rustls::pki_types::CertificateDer;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The DNS names of the verified client certificate of the connection a request came on,
/// empty when the client presented none. Every request served by [`serve_https`] carries it
/// as an extension.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerNames(pub Vec<String>);

impl PeerNames {
    fn of(certificates: Option<&[CertificateDer<'static>]>) -> Self {
        let Some(leaf) = certificates.and_then(<[_]>::first) else {
            return PeerNames::default();
        };
        // rustls verified this certificate during the handshake; it parses.
        match webpki::EndEntityCert::try_from(leaf) {
            Ok(cert) => PeerNames(cert.valid_dns_names().map(str::to_owned).collect()),
            Err(_) => PeerNames::default(),
        }
    }
}

/// Serves `app` over TLS on `listener` until `stop` completes, then lets requests in flight
/// finish (as [`crate::serve_http`], TCP_NODELAY and title-case header names included). Handshakes run concurrently, each
/// bounded in time, so a slow client delays nobody else.
pub async fn serve_https(
    listener: TcpListener,
    app: axum::Router,
    tls: Arc<ServerConfig>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let listener =
        TlsListener { tcp: listener, acceptor: TlsAcceptor::from(tls), handshakes: JoinSet::new() };
    let app = app.layer(middleware::from_fn(with_peer_names));
    crate::http::serve(listener, app, stop).await
}

/// What a connection tells about its client: its address and its certificate's names.
#[derive(Clone, Debug)]
struct PeerAddr {
    addr: SocketAddr,
    names: PeerNames,
}

async fn with_peer_names(
    ConnectInfo(peer): ConnectInfo<PeerAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    request.extensions_mut().insert(peer.names);
    // Handlers that ask for the client's address find it as with plain HTTP.
    request.extensions_mut().insert(ConnectInfo(peer.addr));
    next.run(request).await
}

struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: JoinSet<io::Result<(TlsStream<TcpStream>, SocketAddr)>>,
}

impl TlsListener {
    fn handshake(&mut self, stream: TcpStream, addr: SocketAddr) {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let acceptor = self.acceptor.clone();
        self.handshakes.spawn(async move {
            let tls =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await.map_err(
                    |_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"),
                )??;
            Ok((tls, addr))
        });
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = PeerAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                accepted = self.tcp.accept() => match accepted {
                    Ok((stream, addr)) => self.handshake(stream, addr),
                    Err(error) => {
                        // As axum's own listener: the error is usually a lack of file
                        // descriptors, which waiting may cure.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                Some(done) = self.handshakes.join_next(), if !self.handshakes.is_empty() => {
                    match done {
                        Ok(Ok((tls, addr))) => {
                            let names = PeerNames::of(tls.get_ref().1.peer_certificates());
                            return (tls, PeerAddr { addr, names });
                        }
                        Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                        Err(error) => tracing::debug!(%error, "TLS handshake task ended"),
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(PeerAddr { addr: self.tcp.local_addr()?, names: PeerNames::default() })
    }
}
