//! Request bodies with a deadline: a body must arrive within the body timeout, or, when it is
//! long, at the minimum rate. A late body ends in [`BodyTimeout`], which the handler reading it
//! answers with 408 before processing anything.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

use super::limits::{Limits, MAX_TIMEOUT};
use super::watchdog::transfer_time;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error a body that did not arrive in time ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimeout {}

impl BodyTimeout {
    /// Whether `err` or any error it wraps is a [`BodyTimeout`].
    pub fn is_cause_of(err: &(dyn std::error::Error + 'static)) -> bool {
        let mut cause = Some(err);
        while let Some(err) = cause {
            if err.is::<BodyTimeout>() {
                return true;
            }
            cause = err.source();
        }
        false
    }
}

/// When a body that began at `start` must be complete: with a declared length, within its
/// [`transfer_time`]; without one (chunked), within the body timeout plus the time the bytes
/// received so far earn at the minimum rate. The body limit bounds the latter.
pub fn body_deadline(
    limits: &Limits,
    start: Instant,
    declared: Option<u64>,
    received: u64,
) -> Instant {
    let allowed = match declared {
        Some(len) => transfer_time(limits, len),
        None => {
            let secs = received as f64 / limits.body_min_rate.max(1) as f64;
            let earned = Duration::try_from_secs_f64(secs).unwrap_or(MAX_TIMEOUT);
            limits.body_timeout.saturating_add(earned)
        }
    };
    start + allowed.min(MAX_TIMEOUT)
}

/// A request body that fails with [`BodyTimeout`] once its deadline passes.
pub struct TimedBody {
    inner: Incoming,
    limits: Limits,
    start: Instant,
    /// The length the head declared, if any.
    declared: Option<u64>,
    received: u64,
    /// `None` when there is nothing left to wait for.
    timer: Option<Pin<Box<Sleep>>>,
}

impl TimedBody {
    pub fn new(inner: Incoming, limits: Limits, start: Instant) -> Self {
        let declared = inner.size_hint().exact();
        // No timer (and no allocation) for the bodiless requests most are.
        let timer = (!inner.is_end_stream()).then(|| {
            Box::pin(tokio::time::sleep_until(body_deadline(
                &limits, start, declared, 0,
            )))
        });
        TimedBody {
            inner,
            limits,
            start,
            declared,
            received: 0,
            timer,
        }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let Some(timer) = this.timer.as_mut() else {
            return Pin::new(&mut this.inner)
                .poll_frame(cx)
                .map_err(BoxError::from);
        };
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let (None, Some(data)) = (this.declared, frame.data_ref()) {
                    // Each chunk earns its time at the minimum rate.
                    this.received = this.received.saturating_add(data.len() as u64);
                    let deadline = body_deadline(&this.limits, this.start, None, this.received);
                    timer.as_mut().reset(deadline);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err.into()))),
            Poll::Ready(None) => {
                this.timer = None;
                Poll::Ready(None)
            }
            Poll::Pending => match timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.timer = None;
                    Poll::Ready(Some(Err(Box::new(BodyTimeout))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
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

    #[test]
    fn deadlines() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        // Declared: the longer of the timeout and the length at the minimum rate.
        assert_eq!(body_deadline(&limits(), t0, Some(100), 0), t0 + s(10));
        assert_eq!(body_deadline(&limits(), t0, Some(40_000), 0), t0 + s(40));
        assert_eq!(
            body_deadline(&limits(), t0, Some(10_000_000_000), 0),
            t0 + MAX_TIMEOUT
        );
        // Chunked: the timeout plus what the received bytes earn.
        assert_eq!(body_deadline(&limits(), t0, None, 0), t0 + s(10));
        assert_eq!(body_deadline(&limits(), t0, None, 5_000), t0 + s(15));
        assert_eq!(body_deadline(&limits(), t0, None, 40_000), t0 + s(50));
    }

    #[test]
    fn the_timeout_is_found_inside_wrapping_errors() {
        let wrapped = axum::Error::new(BodyTimeout);
        assert!(BodyTimeout::is_cause_of(&wrapped));
        let other = axum::Error::new(std::io::Error::other("reset"));
        assert!(!BodyTimeout::is_cause_of(&other));
    }
}
