//! Time as a dependency, so tests can move it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Epoch milliseconds now.
pub trait Clock: Send + Sync {
    fn now_millis(&self) -> i64;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now_millis(&self) -> i64 {
        let now = std::time::SystemTime::now();
        now.duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// A clock tests set and advance.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(millis: i64) -> Self {
        Self(AtomicI64::new(millis))
    }

    pub fn set(&self, millis: i64) {
        self.0.store(millis, Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now_millis(), 1_000);
        clock.advance(Duration::from_secs(2));
        assert_eq!(clock.now_millis(), 3_000);
        clock.set(5);
        assert_eq!(clock.now_millis(), 5);
        assert!(SystemClock.now_millis() > 1_600_000_000_000);
    }

    #[test]
    fn clocks_are_shared_as_trait_objects() {
        let manual = std::sync::Arc::new(ManualClock::new(0));
        let shared: std::sync::Arc<dyn Clock> = manual.clone();
        manual.advance(Duration::from_millis(1_500));
        assert_eq!(shared.now_millis(), 1_500);
        let system: std::sync::Arc<dyn Clock> = std::sync::Arc::new(SystemClock);
        let (a, b) = (system.now_millis(), system.now_millis());
        assert!(b >= a);
    }
}
