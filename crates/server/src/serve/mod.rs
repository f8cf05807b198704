//! Serving the router over TCP with the connection limits `axum::serve` does not offer: a
//! header read timeout, a whole-body read timeout, an idle keep-alive timeout and a cap on
//! open connections, so that slow and idle clients cannot pile up; plus graceful shutdown and
//! the peer address ([`ConnectInfo`]) the rate limiter reads.
//!
//! Each accepted connection is served by hyper's HTTP/1.1 connection and watched by its own
//! loop (see [`activity`] for the phases and their deadlines). hyper's own
//! `header_read_timeout` is not used: it starts when a connection goes idle, so it would cap
//! keep-alive at the header timeout; here the idle wait and the head have separate clocks.
//! HTTP/1.1 only: browsers speak HTTP/2 only over TLS, and TLS (with HTTP/2) is the job of
//! the proxy or load balancer in front of the collector.
//!
//! **At `max_connections`, new connections wait in the kernel's listen backlog** (they are
//! not accepted until an open one closes) rather than being accepted and closed at once.
//! Waiting costs this process nothing, a burst of page loads is then served a little later
//! instead of failing, and the wait is bounded: every open connection is itself bounded by
//! the timeouts above, so slots free up. Only when the backlog is full too does the kernel
//! refuse, which a client sees as the same network error an immediate close would give.
pub mod activity;
pub mod body;

pub use body::{body_timeout, BodyTimeout};

use crate::config::Limits;
use activity::{Activity, Expiry, Timeouts};
use axum::extract::ConnectInfo;
use axum::Router;
use body::{DeadlineBody, InFlight, TrackedBody};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt as _;

/// Serve `router` on `listener` under the connection limits of `limits` until `shutdown`
/// resolves; then stop accepting, close idle connections, let requests in flight finish
/// (a batch being stored is stored and answered), and return once every connection is closed.
///
/// Accept errors (a reset before accept, running out of file descriptors) are logged and
/// the loop goes on, so this never fails.
///
/// # Example
/// ```no_run
/// # async fn run(router: axum::Router) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// let limits = touchpoint_server::config::Limits::default();
/// touchpoint_server::serve::serve(listener, router, limits, async {
///     let _ = tokio::signal::ctrl_c().await;
/// })
/// .await;
/// # Ok(())
/// # }
/// ```
pub async fn serve<F>(listener: TcpListener, router: Router, limits: Limits, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // The permit comes first: without one, nothing is accepted and the kernel holds the
        // next connection in the backlog.
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break, // never closed; a closed semaphore would mean stop
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            stream,
            peer,
            router.clone(),
            limits,
            stopped.clone(),
            permit,
        ));
    }
    drop(listener);
    stop.send_replace(true);
    while connections.join_next().await.is_some() {}
}

/// After a failed accept: a connection that died in the backlog is nothing; anything else
/// (out of file descriptors, most likely) is logged and waited out briefly rather than spun
/// on.
async fn accept_failed(e: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}

/// Serve one connection until it ends, a deadline of its phase passes, or shutdown finds it
/// with nothing in flight. Holds its connection slot until it returns.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new(Instant::now()));
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |req| {
            exchange(
                router.clone(),
                peer,
                activity.clone(),
                limits.body_read_timeout,
                req,
            )
        })
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    http.header_read_timeout(None);
    let conn = http.serve_connection(io, service);
    tokio::pin!(conn);
    let timeouts = Timeouts {
        head: limits.header_read_timeout,
        idle: limits.idle_timeout,
    };
    let mut stopping = false;
    loop {
        let deadline = activity.phase().deadline(timeouts);
        tokio::select! {
            ended = conn.as_mut() => {
                if let Err(e) = ended {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            () = sleep_until(deadline.map(|(at, _)| at)) => {
                if let Some((at, why)) = activity.phase().deadline(timeouts) {
                    if at <= Instant::now() {
                        let what = match why {
                            Expiry::Head => "the request head did not arrive in time",
                            Expiry::Idle => "idle keep-alive connection",
                        };
                        tracing::debug!(%peer, "closing: {what}");
                        return;
                    }
                }
            }
            () = activity.changed() => {}
            _ = stopped.changed(), if !stopping => {
                // hyper closes an idle or untouched connection at once; one with a request in
                // flight answers it, then closes (a half-sent head still has its deadline).
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One request through the router: its body gets the body deadline, its extensions the
/// peer address, and the connection counts it as in flight until its response is dropped.
async fn exchange(
    router: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
    body_timeout: std::time::Duration,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<TrackedBody<axum::body::Body>>, Infallible> {
    let in_flight = InFlight::start(activity);
    let mut req = req.map(|b| axum::body::Body::new(DeadlineBody::new(b, body_timeout)));
    req.extensions_mut().insert(ConnectInfo(peer));
    let res = match router.oneshot(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    };
    Ok(res.map(|b| TrackedBody::new(b, in_flight)))
}

/// The TCP stream, telling the connection's [`Activity`] whenever bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            let now = Instant::now();
            this.activity.update(|p| p.on_read(now));
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
