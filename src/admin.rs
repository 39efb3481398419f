//! The admin HTTP server on `http.listen`: `/metrics` (Prometheus text),
//! `/healthz` (the process is alive) and `/readyz` (ready to do its job).
//!
//! The port may be reachable by more than the scraper, so the server
//! defends its file descriptors: a client must send its request head
//! within [`Limits::header_read_timeout`] (also the keep-alive idle time
//! between requests), a connection that moves no bytes for
//! [`Limits::idle_timeout`] is closed, and at most
//! [`Limits::max_connections`] are open at once. At the cap, a new
//! connection evicts the one idle the longest, so a health probe still gets
//! through while slow clients hold every slot.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::metrics::Metrics;

/// Answers whether the daemon is ready, or what is missing.
pub type Readiness = Arc<dyn Fn() -> Result<(), String> + Send + Sync>;

#[derive(Clone)]
struct AppState {
    metrics: Metrics,
    ready: Readiness,
}

pub fn router(metrics: Metrics, ready: Readiness) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready_handler))
        .with_state(AppState { metrics, ready })
}

async fn metrics_handler(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.encode(),
    )
}

async fn ready_handler(State(s): State<AppState>) -> impl IntoResponse {
    match (s.ready)() {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {why}\n"),
        ),
    }
}

/// How the admin server protects itself from slow or numerous clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request head must arrive within this long (and an idle keep-alive
    /// connection is closed after it).
    pub header_read_timeout: Duration,
    /// A connection that reads and writes nothing for this long is closed
    /// (a slow body, a client that does not read the answer).
    pub idle_timeout: Duration,
    /// Connections open at once; past it the longest-idle one is closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 64,
        }
    }
}

/// Binds `addr` and serves until `shutdown`. Returns the bound address
/// (useful with port 0).
pub async fn serve(
    addr: SocketAddr,
    metrics: Metrics,
    ready: Readiness,
    shutdown: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    serve_with(addr, router(metrics, ready), Limits::default(), shutdown).await
}

/// [`serve`] with any router and limits.
pub async fn serve_with(
    addr: SocketAddr,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    serve_bounded("admin", "http.listen", addr, app, limits, shutdown).await
}

/// Serves `app` on `addr` with `limits` until `shutdown`: the admin
/// server's defences for any listener of the daemon (the console has its
/// own). `name` labels its logs; `key` is the config key of `addr`, for
/// the error when it cannot be bound.
pub async fn serve_bounded(
    name: &'static str,
    key: &'static str,
    addr: SocketAddr,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("{key} = \"{addr}\": cannot bind: {e}"))?;
    let bound = listener.local_addr()?;
    info!(message = "HTTP listening.", listener = name, addr = %bound);
    tokio::spawn(accept_loop(listener, app, limits, shutdown, name));
    Ok(bound)
}

/// The open connections: when each last moved a byte, and how to close it.
#[derive(Default)]
struct Open {
    next_id: u64,
    conns: HashMap<u64, (Arc<AtomicU64>, CancellationToken)>,
}

impl Open {
    /// Closes the connection idle the longest, to make room for a new one.
    fn evict_stalest(&self) {
        let stalest = self
            .conns
            .iter()
            .min_by_key(|(id, (last, _))| (last.load(Ordering::Relaxed), **id));
        if let Some((_, (_, close))) = stalest {
            close.cancel();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
    name: &'static str,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let open = Arc::new(Mutex::new(Open::default()));
    let epoch = Instant::now();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors, most likely: wait for some to be
                // freed rather than spin on accept.
                warn!(message = "HTTP cannot accept a connection.", listener = name, error = %e);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                debug!(
                    message = "HTTP connection cap reached; closing the longest-idle connection.",
                    listener = name,
                    max = limits.max_connections
                );
                open.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .evict_stalest();
                match tokio::time::timeout(Duration::from_secs(1), permits.clone().acquire_owned())
                    .await
                {
                    Ok(Ok(p)) => p,
                    _ => continue,
                }
            }
        };
        let last = Arc::new(AtomicU64::new(elapsed_ms(epoch)));
        let close = CancellationToken::new();
        let id = {
            let mut o = open.lock().unwrap_or_else(|p| p.into_inner());
            o.next_id += 1;
            let id = o.next_id;
            o.conns.insert(id, (last.clone(), close.clone()));
            id
        };
        let app = app.clone();
        let open = open.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let io = Tracked {
                inner: stream,
                last: last.clone(),
                epoch,
            };
            serve_connection(io, peer, app, limits, &last, epoch, &close, &shutdown).await;
            debug!(message = "HTTP connection closed.", listener = name, peer = %peer);
            open.lock()
                .unwrap_or_else(|p| p.into_inner())
                .conns
                .remove(&id);
            drop(permit);
        });
    }
}

/// Serves one connection until the client is done, it stalls, it is
/// evicted, or the daemon stops. Handlers see the client's address as
/// axum's `ConnectInfo<SocketAddr>` (the console limits logins by it).
#[allow(clippy::too_many_arguments)]
async fn serve_connection(
    io: Tracked,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    last: &AtomicU64,
    epoch: Instant,
    close: &CancellationToken,
    shutdown: &CancellationToken,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let app = tower::ServiceExt::map_request(app, move |mut req: axum::extract::Request<_>| {
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        req
    });
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
    tokio::pin!(conn);
    let idle_ms = u64::try_from(limits.idle_timeout.as_millis()).unwrap_or(u64::MAX);
    loop {
        let idle_until =
            epoch + Duration::from_millis(last.load(Ordering::Relaxed).saturating_add(idle_ms));
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = close.cancelled() => return,
            _ = shutdown.cancelled() => {
                conn.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(Duration::from_secs(1), conn.as_mut()).await;
                return;
            }
            _ = tokio::time::sleep_until(idle_until) => {
                if elapsed_ms(epoch).saturating_sub(last.load(Ordering::Relaxed)) >= idle_ms {
                    return;
                }
            }
        }
    }
}

fn elapsed_ms(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A TCP stream that notes when it last read or wrote a byte.
struct Tracked {
    inner: TcpStream,
    last: Arc<AtomicU64>,
    epoch: Instant,
}

impl Tracked {
    fn touch(&self) {
        self.last.store(elapsed_ms(self.epoch), Ordering::Relaxed);
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn start(limits: Limits) -> (SocketAddr, CancellationToken) {
        let shutdown = CancellationToken::new();
        let ready: Readiness = Arc::new(|| Ok(()));
        let addr = serve_with(
            "127.0.0.1:0".parse().unwrap(),
            router(Metrics::default(), ready),
            limits,
            shutdown.clone(),
        )
        .await
        .unwrap();
        (addr, shutdown)
    }

    /// A client that sends half a request head and then nothing.
    async fn partial(addr: SocketAddr) -> TcpStream {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        s
    }

    /// Whether the server closed the connection: end of stream or reset,
    /// never an answer. Waits at most a minute, which only bounds a
    /// failing test.
    async fn closed_by_server(s: &mut TcpStream) -> bool {
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_secs(60), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => true,
            Ok(Ok(n)) => {
                // hyper may answer 408 before closing; then it closes.
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                head.starts_with("HTTP/1.1 408")
                    && matches!(
                        tokio::time::timeout(Duration::from_secs(60), s.read(&mut buf)).await,
                        Ok(Ok(0)) | Ok(Err(_))
                    )
            }
            Err(_) => false,
        }
    }

    async fn healthz(addr: SocketAddr) -> String {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        let _ = tokio::time::timeout(Duration::from_secs(60), s.read_to_string(&mut out)).await;
        out
    }

    /// Issue 16: 200 connections sending partial headers were all still
    /// open after 65 s. Now the server closes them after the header-read
    /// timeout.
    #[tokio::test]
    async fn partial_request_heads_are_closed_after_the_header_timeout() {
        let (addr, shutdown) = start(Limits {
            header_read_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_secs(600),
            max_connections: 16,
        })
        .await;
        let mut slow = Vec::new();
        for _ in 0..4 {
            slow.push(partial(addr).await);
        }
        for s in &mut slow {
            assert!(
                closed_by_server(s).await,
                "a partial request head is closed"
            );
        }
        shutdown.cancel();
    }

    /// Issue 16: with `ulimit -n 256`, 300 partial-header connections made
    /// `/healthz` time out. Now the connections are capped, and at the cap
    /// the longest-idle one makes room: `/healthz` still answers.
    #[tokio::test]
    async fn healthz_answers_while_slow_clients_hold_every_slot() {
        let (addr, shutdown) = start(Limits {
            header_read_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(600),
            max_connections: 4,
        })
        .await;
        let mut slow = Vec::new();
        for _ in 0..4 {
            slow.push(partial(addr).await);
        }
        let answer = healthz(addr).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
        assert!(answer.ends_with("ok\n"), "{answer:?}");
        // The health probe evicted one of the slow clients.
        let reads = slow.iter_mut().map(|s| Box::pin(closed_by_server(s)));
        let (evicted, _, _) = futures::future::select_all(reads).await;
        assert!(evicted, "a slow client was closed to make room");
        shutdown.cancel();
    }

    /// A connection that sends a whole head and then stalls in its body
    /// is closed after the idle timeout.
    #[tokio::test]
    async fn a_stalled_connection_is_closed_after_the_idle_timeout() {
        let (addr, shutdown) = start(Limits {
            header_read_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_millis(300),
            max_connections: 4,
        })
        .await;
        let mut s = partial(addr).await;
        assert!(closed_by_server(&mut s).await);
        shutdown.cancel();
    }
}
