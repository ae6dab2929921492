//! Runs a popd: opens the store, recovers the registry, ensures the default network, follows
//! the runtime in the background, and serves gRPC until asked to stop, then drains in-flight
//! calls for a bounded time.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use archipel_daemon::{tls, Daemon};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};

use crate::auth::Auth;
use crate::config::PopdConfig;
use crate::error::PopError;
use crate::grpc::{PopService, ThesisName, Timed, Timer};
use crate::metrics::PopMetrics;
use crate::provider::HttpPoolProvider;
use crate::reconcile;
use crate::registry::{Pop, PopSettings};
use crate::runtime::Runtime;
use crate::store::Store;

/// The file in the data directory that holds the bound address (one line), for tools and
/// tests that start popd on port 0.
pub const ADDR_FILE: &str = "popd.addr";
/// The same for the metrics address (`--metrics-listen`).
pub const METRICS_ADDR_FILE: &str = "popd-metrics.addr";

/// A running popd: the daemon kit's handle over its core.
pub type PopdHandle = Daemon<Pop, PopError>;

/// Starts a popd and returns once it listens. Dropping the handle shuts it down.
pub async fn start(config: PopdConfig, runtime: Arc<dyn Runtime>) -> Result<PopdHandle, PopError> {
    let store = Arc::new(Store::open(&config.data_dir)?);
    let auth = Arc::new(Auth::new(
        config.users.clone(),
        store.clone(),
        config.session_ttl,
        config.login_throttle,
    )?);
    auth.purge_expired()?;
    let settings = PopSettings {
        name: config.name.clone(),
        default_network: config.default_network.clone(),
        default_subnet: config.default_subnet,
        stop_timeout: config.stop_timeout,
        flavours: config.flavours.clone(),
    };
    let runtime_kind = runtime.kind();
    let pop = Pop::open(store, runtime, settings).await?;
    if let Some(provider) = &config.pool_provider {
        let tls = match &provider.ca {
            Some(ca) => Some(tls::client_config(ca, None).map_err(PopError::Tls)?),
            None => None,
        };
        pop.set_pool_provider(Arc::new(HttpPoolProvider::new(&provider.url, &provider.token, tls)));
    }
    let mut server = Server::builder();
    if let Some(files) = &config.tls {
        let identity = tls::Identity::read(&files.cert, &files.key).map_err(PopError::Tls)?;
        let identity = Identity::from_pem(identity.cert_pem, identity.key_pem);
        server = server
            .tls_config(ServerTlsConfig::new().identity(identity))
            .map_err(PopError::Serve)?;
    }
    // No Nagle: a reply goes out as several HTTP/2 frames, and waiting for the peer's delayed
    // ACK before the last one added ~40 ms to every call.
    let incoming = TcpIncoming::bind(config.listen)
        .map_err(|source| PopError::Io {
            what: format!("cannot listen on {}", config.listen),
            source,
        })?
        .with_nodelay(Some(true));
    let addr = incoming
        .local_addr()
        .map_err(|source| PopError::Io { what: "cannot read the bound address".into(), source })?;
    write_addr(&config.data_dir, ADDR_FILE, addr)?;
    let metrics = Arc::new(PopMetrics::new(auth.logins_failed()));
    let metrics_listener = match config.metrics_listen {
        Some(listen) => {
            let listener = TcpListener::bind(listen).await.map_err(|source| PopError::Io {
                what: format!("cannot serve the metrics on {listen}"),
                source,
            })?;
            let bound = listener.local_addr().map_err(|source| PopError::Io {
                what: "cannot read the metrics address".into(),
                source,
            })?;
            write_addr(&config.data_dir, METRICS_ADDR_FILE, bound)?;
            tracing::info!(listen = %bound, "popd metrics serving");
            Some(listener)
        }
        None => None,
    };
    let reconciler = reconcile::spawn(pop.clone(), config.poll_interval);
    let store_path = config.data_dir.join(crate::store::DB_FILE);
    let service =
        PopService::new(pop.clone(), auth, store_path).into_server(config.max_message_bytes);
    let service = Timed::new(service, Timer(metrics.rpc.clone()));
    let (stopped, stopping) = watch::channel(false);
    let metrics_server = metrics_listener.map(|listener| {
        let mut stopping = stopping.clone();
        let stop = async move {
            let _ = stopping.wait_for(|stopped| *stopped).await;
        };
        tokio::spawn(crate::metrics::serve(listener, metrics, pop.clone(), stop))
    });
    let serving = pop.clone();
    let daemon = Daemon::spawn(addr, pop, |stop| async move {
        let closing = serving.clone();
        let stop = async move {
            stop.await;
            tracing::info!("popd shutting down: draining calls");
            // Watch streams never end by themselves: end them so that the drain can finish.
            closing.close();
            stopped.send_replace(true);
        };
        // The same service under the thesis's name too, for its clients.
        let thesis = ThesisName::new(service.clone());
        let served = server
            .add_service(service)
            .add_service(thesis)
            .serve_with_incoming_shutdown(incoming, stop)
            .await;
        serving.close();
        let _ = reconciler.await;
        if let Some(metrics) = metrics_server {
            if let Ok(Err(err)) = metrics.await {
                tracing::warn!(error = %err, "the metrics server failed");
            }
        }
        served.map_err(PopError::Serve)
    });
    tracing::info!(listen = %addr, tls = config.tls.is_some(), name = %config.name, runtime = runtime_kind, data_dir = %config.data_dir.display(), "popd serving");
    Ok(daemon)
}

/// Writes `ADDR\n` to an address file of the data directory, atomically (write, then rename).
fn write_addr(dir: &Path, file: &str, addr: SocketAddr) -> Result<(), PopError> {
    let tmp = dir.join(format!("{file}.tmp"));
    let io = |source| PopError::Io {
        what: format!("cannot write {}", dir.join(file).display()),
        source,
    };
    std::fs::write(&tmp, format!("{addr}\n")).map_err(io)?;
    std::fs::rename(&tmp, dir.join(file)).map_err(io)
}

#[cfg(test)]
mod tests;
