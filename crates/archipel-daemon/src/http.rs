//! Serving an axum router the way every Archipel REST API does: hyper's connection builder
//! (HTTP/1.1, and HTTP/2 when the client speaks it) behind our own accept loop, because
//! `axum::serve` cannot set HTTP/1's title-case header names, which some clients and test tools
//! compare case-sensitively (`Content-Type`, not `content-type`).

use std::future::Future;

use axum::extract::ConnectInfo;
use axum::serve::{Listener, ListenerExt};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves `router` on `listener` until `stop` completes, then lets requests in flight finish.
/// As `axum::serve(..).with_graceful_shutdown(stop)`, with TCP_NODELAY on every connection (a
/// response written in pieces would otherwise wait for the peer's delayed ACK) and HTTP/1
/// header names in title case. Each request carries the peer's address
/// (`ConnectInfo<SocketAddr>`): login throttles and audit lines name it.
pub async fn serve_http(
    listener: TcpListener,
    router: axum::Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    serve(listener, router, stop).await
}

/// The accept loop over any listener: each request carries `ConnectInfo` of the listener's
/// address type. On `stop`, no connection is accepted any more, idle ones are closed, and the
/// others end once their requests are answered.
pub(crate) async fn serve<L>(
    mut listener: L,
    router: axum::Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener,
    L::Addr: Clone + Send + Sync + 'static,
{
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().title_case_headers(true);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (io, addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(addr.clone()));
            router.clone().oneshot(request)
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn header_names_are_title_case_and_requests_know_their_peer() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = axum::Router::new().route(
            "/",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_http(listener, router, async move {
            let _ = stopped.await;
        }));

        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = "GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("\r\nContent-Type: text/plain"), "{answer}");
        assert!(answer.contains("\r\nContent-Length: "), "{answer}");
        assert!(answer.ends_with("\r\n\r\n127.0.0.1"), "{answer}");

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer listening");
    }
}
