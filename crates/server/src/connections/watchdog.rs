//! The deadline of one connection, which depends on what it is waiting for: a request head,
//! the client taking a response, or the next request of a kept-alive connection. While a
//! request is being read or handled there is none here (the body has its own, see
//! [`super::body`]), so a slow handler such as a password hash is never cut off.
//!
//! hyper's own `header_read_timeout` is not used: in hyper 1.12 it starts whenever hyper is
//! ready to read a head, so it also runs through the idle time between requests, and header
//! and idle timeouts could not be set apart.

use std::io;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use super::limits::{Limits, MAX_TIMEOUT};

/// What the connection waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// A request head; `started` once a byte of it arrived.
    Head { deadline: Instant, started: bool },
    /// Request `seq` is being read or handled.
    Busy { seq: u64 },
    /// The client is taking the response to request `seq`.
    Sending { seq: u64, deadline: Instant },
    /// The next request on a kept-alive connection.
    Idle { deadline: Instant },
}

/// Why a connection was closed by its watchdog, for the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    Head,
    Response,
    Idle,
    /// Closed at shutdown with no request in flight.
    Shutdown,
}

impl Expired {
    pub fn as_str(self) -> &'static str {
        match self {
            Expired::Head => "request head not received in time",
            Expired::Response => "response not taken by the client in time",
            Expired::Idle => "idle keep-alive connection",
            Expired::Shutdown => "no request in flight at shutdown",
        }
    }
}

#[derive(Debug)]
struct State {
    phase: Phase,
    next_seq: u64,
    shutting_down: bool,
}

/// One connection's phase and deadline; the connection's reads and its service report to it.
#[derive(Debug)]
pub struct Watchdog {
    limits: Limits,
    state: Mutex<State>,
}

impl Watchdog {
    /// A connection that just opened: its first head is due within the header timeout.
    pub fn new(limits: Limits, now: Instant) -> Self {
        Watchdog {
            limits,
            state: Mutex::new(State {
                phase: Phase::Head {
                    deadline: now + limits.header_timeout,
                    started: false,
                },
                next_seq: 0,
                shutting_down: false,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bytes arrived. On an idle connection they begin a head, due within the header timeout.
    pub fn on_read(&self, now: impl FnOnce() -> Instant) {
        let mut state = self.state();
        match state.phase {
            Phase::Idle { .. } => {
                state.phase = Phase::Head {
                    deadline: now() + self.limits.header_timeout,
                    started: true,
                }
            }
            Phase::Head {
                deadline,
                started: false,
            } => {
                state.phase = Phase::Head {
                    deadline,
                    started: true,
                }
            }
            Phase::Head { started: true, .. } | Phase::Busy { .. } | Phase::Sending { .. } => {}
        }
    }

    /// A request head was parsed: no deadline until its response is ready. Returns the
    /// request's number for the calls below.
    pub fn on_request(&self) -> u64 {
        let mut state = self.state();
        let seq = state.next_seq;
        state.next_seq += 1;
        state.phase = Phase::Busy { seq };
        seq
    }

    /// The response to `seq` is ready, `len` bytes of body if known: the client must take it
    /// within the body timeout or at the minimum rate, whichever is longer.
    pub fn on_response(&self, seq: u64, len: Option<u64>, now: Instant) {
        let mut state = self.state();
        if state.phase == (Phase::Busy { seq }) {
            let allowed = transfer_time(&self.limits, len.unwrap_or(0));
            state.phase = Phase::Sending {
                seq,
                deadline: now + allowed,
            };
        }
    }

    /// The response to `seq` was handed to the connection in full: it is idle until the next
    /// request begins.
    pub fn on_response_sent(&self, seq: u64, now: Instant) {
        let mut state = self.state();
        if matches!(state.phase, Phase::Busy { seq: s } | Phase::Sending { seq: s, .. } if s == seq)
        {
            state.phase = Phase::Idle {
                deadline: now + self.limits.idle_timeout,
            };
        }
    }

    /// From now on a connection with no request in flight is closed at once.
    pub fn begin_shutdown(&self) {
        self.state().shutting_down = true;
    }

    /// When the connection is to be closed and why; `None` while a request is in flight.
    pub fn deadline(&self, now: Instant) -> Option<(Instant, Expired)> {
        let state = self.state();
        let quiet = state.shutting_down;
        match state.phase {
            Phase::Busy { .. } => None,
            Phase::Head {
                started: false,
                deadline,
            }
            | Phase::Idle { deadline }
                if quiet =>
            {
                Some((now.min(deadline), Expired::Shutdown))
            }
            Phase::Head { deadline, .. } => Some((deadline, Expired::Head)),
            Phase::Idle { deadline } => Some((deadline, Expired::Idle)),
            Phase::Sending { deadline, .. } => Some((deadline, Expired::Response)),
        }
    }
}

/// How long `len` bytes may take: the body timeout, or longer at the minimum rate, but never
/// more than [`MAX_TIMEOUT`] (a length is the client's claim).
pub fn transfer_time(limits: &Limits, len: u64) -> Duration {
    let secs = len as f64 / limits.body_min_rate.max(1) as f64;
    let at_rate = Duration::try_from_secs_f64(secs).unwrap_or(MAX_TIMEOUT);
    limits.body_timeout.max(at_rate).min(MAX_TIMEOUT)
}

/// A connection's byte stream, telling its watchdog when bytes arrive.
pub struct WatchedIo<I> {
    inner: I,
    watchdog: std::sync::Arc<Watchdog>,
}

impl<I> WatchedIo<I> {
    pub fn new(inner: I, watchdog: std::sync::Arc<Watchdog>) -> Self {
        WatchedIo { inner, watchdog }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for WatchedIo<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watchdog.on_read(Instant::now);
        }
        result
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for WatchedIo<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            body_min_rate: 1000,
            idle_timeout: Duration::from_secs(60),
            max_connections: 100,
            shutdown_timeout: Duration::from_secs(10),
        }
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn a_new_connection_owes_its_head_within_the_header_timeout() {
        let t0 = Instant::now();
        let dog = Watchdog::new(limits(), t0);
        assert_eq!(dog.deadline(t0), Some((t0 + secs(10), Expired::Head)));
        // Bytes of the head do not move the deadline: a trickle cannot stretch it.
        dog.on_read(|| t0 + secs(5));
        dog.on_read(|| t0 + secs(9));
        assert_eq!(dog.deadline(t0), Some((t0 + secs(10), Expired::Head)));
    }

    #[test]
    fn no_deadline_while_a_request_is_handled_then_send_then_idle() {
        let t0 = Instant::now();
        let dog = Watchdog::new(limits(), t0);
        let seq = dog.on_request();
        assert_eq!(dog.deadline(t0 + secs(3600)), None);
        // A 50 kB response at 1000 B/s may take 50 s; a small one the body timeout.
        dog.on_response(seq, Some(50_000), t0 + secs(100));
        assert_eq!(dog.deadline(t0), Some((t0 + secs(150), Expired::Response)));
        dog.on_response_sent(seq, t0 + secs(101));
        assert_eq!(dog.deadline(t0), Some((t0 + secs(161), Expired::Idle)));
        // The next request's first byte starts its header timeout.
        dog.on_read(|| t0 + secs(130));
        assert_eq!(dog.deadline(t0), Some((t0 + secs(140), Expired::Head)));
        let next = dog.on_request();
        dog.on_response(next, None, t0 + secs(200));
        assert_eq!(dog.deadline(t0), Some((t0 + secs(210), Expired::Response)));
        // A late report about the earlier request changes nothing.
        dog.on_response_sent(seq, t0 + secs(201));
        assert_eq!(dog.deadline(t0), Some((t0 + secs(210), Expired::Response)));
    }

    #[test]
    fn shutdown_closes_only_connections_without_a_request() {
        let t0 = Instant::now();
        let now = t0 + secs(1);
        let fresh = Watchdog::new(limits(), t0);
        fresh.begin_shutdown();
        assert_eq!(fresh.deadline(now), Some((now, Expired::Shutdown)));

        let idle = Watchdog::new(limits(), t0);
        let seq = idle.on_request();
        idle.on_response_sent(seq, t0);
        idle.begin_shutdown();
        assert_eq!(idle.deadline(now), Some((now, Expired::Shutdown)));

        // Half a head keeps its header deadline; a request in flight keeps going.
        let partial = Watchdog::new(limits(), t0);
        partial.on_read(|| t0);
        partial.begin_shutdown();
        assert_eq!(partial.deadline(now), Some((t0 + secs(10), Expired::Head)));
        let busy = Watchdog::new(limits(), t0);
        busy.on_request();
        busy.begin_shutdown();
        assert_eq!(busy.deadline(now), None);
    }

    #[test]
    fn transfer_time_is_the_longer_of_timeout_and_rate() {
        assert_eq!(transfer_time(&limits(), 0), secs(10));
        assert_eq!(transfer_time(&limits(), 9_999), secs(10));
        assert_eq!(transfer_time(&limits(), 30_000), secs(30));
        // Absurd lengths do not overflow.
        assert_eq!(transfer_time(&limits(), u64::MAX), MAX_TIMEOUT);
    }
}
