//! One connection: HTTP/1.1 through hyper, closed by its [`Watchdog`] when the client is too
//! slow, with the router as its service (the peer address as `ConnectInfo`, as axum's
//! `into_make_service_with_connect_info` gives it), and its part in a graceful shutdown.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::ConnectInfo;
use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio::time::Instant;
use tower::ServiceExt;

use super::body::TimedBody;
use super::limits::Limits;
use super::watchdog::{Watchdog, WatchedIo};

/// What every connection of a server shares.
pub struct Shared {
    router: Router,
    limits: Limits,
    http: http1::Builder,
}

impl Shared {
    pub fn new(router: Router, limits: Limits) -> Self {
        let mut http = http1::Builder::new();
        // The watchdog keeps the time (see its module for why not hyper).
        http.header_read_timeout(None);
        Shared {
            router,
            limits,
            http,
        }
    }
}

/// How a connection ended, for the logs.
enum End {
    Closed,
    Failed(hyper::Error),
    Expired(super::watchdog::Expired),
}

/// Serves one connection until the client closes it, its watchdog does, or shutdown does;
/// `stop` turns true when the server shuts down.
pub async fn serve<I>(io: I, peer: SocketAddr, shared: &Shared, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let start = Instant::now();
    let watchdog = Arc::new(Watchdog::new(shared.limits, start));
    let service = ConnService {
        router: shared.router.clone(),
        peer,
        limits: shared.limits,
        watchdog: watchdog.clone(),
    };
    let io = TokioIo::new(WatchedIo::new(io, watchdog.clone()));
    let mut conn = pin!(shared.http.serve_connection(io, service));
    let mut timer = pin!(tokio::time::sleep_until(start));
    let mut armed = None;
    let mut stopping = pin!(stop.wait_for(|stop| *stop));
    let mut shutting_down = false;

    // Everything that moves the deadline happens while hyper is polled (reads, the service,
    // the response body), so reading it after each poll keeps the timer exact.
    let end = poll_fn(|cx: &mut Context<'_>| {
        if !shutting_down && stopping.as_mut().poll(cx).is_ready() {
            shutting_down = true;
            watchdog.begin_shutdown();
            // hyper closes an idle kept-alive connection, and any other after its response.
            conn.as_mut().graceful_shutdown();
        }
        if let Poll::Ready(result) = conn.as_mut().poll(cx) {
            return Poll::Ready(result.map_or_else(End::Failed, |()| End::Closed));
        }
        let now = Instant::now();
        let Some((deadline, why)) = watchdog.deadline(now) else {
            return Poll::Pending;
        };
        if deadline <= now {
            return Poll::Ready(End::Expired(why));
        }
        if armed != Some(deadline) {
            timer.as_mut().reset(deadline);
            armed = Some(deadline);
        }
        timer.as_mut().poll(cx).map(|()| End::Expired(why))
    })
    .await;
    // Debug level only: these are the clients' doing, and a flood of them must not flood
    // the log.
    match end {
        End::Closed => {}
        End::Failed(err) => tracing::debug!(%peer, error = %err, "connection failed"),
        End::Expired(why) => tracing::debug!(%peer, reason = why.as_str(), "connection closed"),
    }
}

/// The router, seen by hyper as the service of one connection.
struct ConnService {
    router: Router,
    peer: SocketAddr,
    limits: Limits,
    watchdog: Arc<Watchdog>,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response<SentBody>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<SentBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let seq = self.watchdog.on_request();
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(ConnectInfo(self.peer));
        let body = AxumBody::new(TimedBody::new(body, self.limits, Instant::now()));
        let request = Request::from_parts(parts, body);
        let router = self.router.clone();
        let watchdog = self.watchdog.clone();
        Box::pin(async move {
            let response = router.oneshot(request).await?;
            let len = response.body().size_hint().exact();
            watchdog.on_response(seq, len, Instant::now());
            Ok(response.map(|inner| SentBody {
                inner,
                watchdog,
                seq,
            }))
        })
    }
}

/// A response body that tells the watchdog when hyper is done with it (hyper drops it after
/// its last frame): from then on the connection is idle.
pub struct SentBody {
    inner: AxumBody,
    watchdog: Arc<Watchdog>,
    seq: u64,
}

impl Body for SentBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for SentBody {
    fn drop(&mut self) {
        self.watchdog.on_response_sent(self.seq, Instant::now());
    }
}
