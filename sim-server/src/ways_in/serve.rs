//! The HTTP server loop: every connection has a header timeout (which also closes a kept-alive
//! connection left idle), every request body a read timeout, and at most `max_connections` are
//! open at once (more wait in the listen backlog), so slow or idle clients cannot hold the
//! simulator's file descriptors (issue 11).

use super::body_timeout::BodyTimeout;
use super::connection;
use super::front::Front;
use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Default seconds to receive a request's headers (and the longest idle keep-alive).
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// Default seconds to receive a request's body.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 60;
/// Default connections open at once (well under the usual 1,024 open files of a process).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The limits of [`serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            body_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Serves `app` on `listener` (HTTP/1.1) until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: Front,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) {
    // Every request body under the body timeout, before the router sees it.
    let body_timeout = limits.body_timeout;
    let front = app.clone();
    let app = tower::ServiceBuilder::new()
        .map_request(move |req: Request<Incoming>| {
            req.map(|body| Body::new(BodyTimeout::new(body, body_timeout)))
        })
        .service(app);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
            () = &mut shutdown => return,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // EMFILE and the like: wait for connections to close instead of spinning.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        // An answer goes out as soon as it is written, never held back for a later one (Nagle).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("nodelay: {e}");
        }
        let service = TowerToHyperService::new(app.clone());
        let front = front.clone();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            // The inquiry's own way first; hyper from the first request of another shape.
            let Some(stream) = connection::own_way(stream, &front, header_timeout).await else {
                return;
            };
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = connection.await {
                tracing::debug!("connection: {e}");
            }
        });
    }
}
