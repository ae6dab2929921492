//! Serving an axum router the way every Archipel REST API does.

use std::future::Future;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

/// Serves `router` on `listener` until `stop` completes, then lets requests in flight finish.
/// Equivalent to `axum::serve(..).with_graceful_shutdown(stop)` with TCP_NODELAY on every
/// connection: a response written in pieces would otherwise wait for the peer's delayed ACK.
/// Each request carries the peer's address (`ConnectInfo<SocketAddr>`): login throttles and
/// audit lines name it.
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
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(stop)
        .await
}
