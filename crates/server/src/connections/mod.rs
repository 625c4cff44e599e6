//! Accepting connections: the accept loop, the connection cap, TLS handshakes, and shutdown
//! with a deadline. Each connection is served by its own task ([`connection`]) under a
//! watchdog ([`watchdog`]) and with timed request bodies ([`body`]).

pub mod body;
mod connection;
pub mod limits;
pub mod watchdog;

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

pub use body::BodyTimeout;
pub use limits::{ConnectionLimits, Limits};

use crate::tls;

/// Connections the kernel may hold for the accept loop (capped by `net.core.somaxconn`):
/// room for a burst of clients while the loop catches up, instead of dropped handshakes that
/// the clients retry only a second or more later.
const LISTEN_BACKLOG: u32 = 4096;

/// A listener on `addr`, as tokio's `TcpListener::bind` makes it, with a longer backlog.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves `router` on `listener` (over TLS with `tls`) until `shutdown` completes; then stops
/// accepting, lets requests in flight finish, and drops the connections still open after the
/// shutdown timeout.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let shared = Arc::new(connection::Shared::new(router, limits));
    let tls = tls.map(TlsAcceptor::from);
    let open = Arc::new(AtomicUsize::new(0));
    let (stop, stopping) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut refusing = Refusals::default();
    let mut shutdown = pin!(shutdown);

    loop {
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = accept_error(err) => continue,
                    }
                }
            },
        };
        if open.load(Ordering::Relaxed) >= limits.max_connections {
            refusing.refused(limits.max_connections);
            // Over TLS an answer would cost a handshake: the client is only closed.
            if tls.is_none() {
                refuse(stream);
            }
            continue;
        }
        let slot = Slot::take(&open);
        let shared = shared.clone();
        let mut stopping = stopping.clone();
        let tls = tls.clone();
        tasks.spawn(async move {
            // Declared first, so released last: the descriptor is closed by then.
            let _slot = slot;
            match tls {
                None => connection::serve(stream, peer, &shared, stopping).await,
                Some(acceptor) => {
                    // In the connection's own task, so a slow handshake holds up no one; a
                    // shutdown ends it (there is no request yet).
                    let handshake = tls::handshake(&acceptor, stream, peer, tls::HANDSHAKE_TIMEOUT);
                    let stream = tokio::select! {
                        stream = handshake => stream,
                        _ = stopping.wait_for(|stop| *stop) => None,
                    };
                    if let Some(stream) = stream {
                        connection::serve(stream, peer, &shared, stopping).await;
                    }
                }
            }
        });
    }

    // Closing the listener frees the port at once; clients connecting now are refused by
    // the kernel rather than left waiting in the backlog.
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = tasks.len(),
            "shutdown timeout passed; dropping the connections still open"
        );
        tasks.shutdown().await;
    }
    Ok(())
}

/// One open connection, counted against the cap while it lives.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::Relaxed);
        Slot(open.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

const REFUSAL_BODY: &str = r#"{"__type":"ServiceUnavailableException","message":"The server has too many open connections; try again shortly."}"#;

/// The whole answer to a connection over the cap.
fn refusal() -> &'static [u8] {
    static REFUSAL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    REFUSAL.get_or_init(|| {
        format!(
            "HTTP/1.1 503 Service Unavailable\r\n\
             Content-Type: application/x-amz-json-1.1\r\n\
             x-amzn-ErrorType: ServiceUnavailableException:\r\n\
             Retry-After: 1\r\n\
             Content-Length: {}\r\n\
             Connection: close\r\n\r\n{REFUSAL_BODY}",
            REFUSAL_BODY.len()
        )
        .into_bytes()
    })
}

/// Answers 503 and closes, without a task or a wait: a socket has room for these few bytes,
/// and a client that cannot take them at once loses only the answer.
fn refuse(stream: TcpStream) {
    // A std stream (still non-blocking) does the calls directly; tokio's would first wait
    // for the reactor to report the new socket ready.
    let Ok(stream) = stream.into_std() else {
        return;
    };
    // Closing a socket with unread input sends a reset, which can destroy the answer before
    // the client reads it; so what already arrived is read first.
    let mut sink = [0u8; 4096];
    for _ in 0..4 {
        match (&stream).read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
    let _ = (&stream).write(refusal());
}

/// How often refusals are reported at most: a client kept at the cap on purpose must not
/// flood the log.
const REFUSALS_LOG_EVERY: Duration = Duration::from_secs(10);

/// Reports refused connections, at most once per [`REFUSALS_LOG_EVERY`].
#[derive(Default)]
struct Refusals {
    unreported: u64,
    last_report: Option<tokio::time::Instant>,
}

impl Refusals {
    fn refused(&mut self, cap: usize) {
        self.unreported += 1;
        let now = tokio::time::Instant::now();
        if self
            .last_report
            .is_none_or(|last| now.duration_since(last) >= REFUSALS_LOG_EVERY)
        {
            tracing::warn!(
                max_connections = cap,
                refused = self.unreported,
                "connection cap reached; refusing new connections"
            );
            self.unreported = 0;
            self.last_report = Some(now);
        }
    }
}

/// Errors of one connection are skipped; others (out of file descriptors, ...) are logged
/// and retried after a pause, so the loop never spins on them.
async fn accept_error(err: io::Error) {
    if matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(
        error = %err,
        "accepting a connection failed; retrying in a second (if the process is out of file \
         descriptors, lower --max-connections or raise the open-file limit)"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_complete_response() {
        let text = std::str::from_utf8(refusal()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(head.contains("\r\nConnection: close"));
        assert!(head.contains(&format!("\r\nContent-Length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["__type"], "ServiceUnavailableException");
    }

    #[test]
    fn slots_count_open_connections() {
        let open = Arc::new(AtomicUsize::new(0));
        let a = Slot::take(&open);
        let b = Slot::take(&open);
        assert_eq!(open.load(Ordering::Relaxed), 2);
        drop(a);
        drop(b);
        assert_eq!(open.load(Ordering::Relaxed), 0);
    }
}
