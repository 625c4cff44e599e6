//! Latencies and error tallies of one scenario.

use std::collections::BTreeMap;
use std::time::Duration;

/// What one connection saw during the measured window.
#[derive(Debug, Default)]
pub struct Tally {
    /// Latency of every successful operation, in microseconds.
    pub latencies_us: Vec<u64>,
    /// Failed operations by kind (`400 NotAuthorizedException`, `io: ...`).
    pub errors: BTreeMap<String, u64>,
}

impl Tally {
    pub fn ok(&mut self, latency: Duration) {
        self.latencies_us.push(latency.as_micros() as u64);
    }

    pub fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    pub fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
    }
}

/// The nearest-rank percentile `p` (0 < p <= 100) of ascending `sorted`: the smallest value
/// with at least p % of the values at or below it. `None` when empty.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// p50, p90, p99 and max in milliseconds of unsorted microsecond latencies.
pub fn summary_ms(latencies_us: &mut [u64]) -> [f64; 4] {
    latencies_us.sort_unstable();
    let ms = |v: Option<u64>| v.map_or(0.0, |us| us as f64 / 1000.0);
    [
        ms(percentile(latencies_us, 50.0)),
        ms(percentile(latencies_us, 90.0)),
        ms(percentile(latencies_us, 99.0)),
        ms(latencies_us.last().copied()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), Some(50));
        assert_eq!(percentile(&values, 90.0), Some(90));
        assert_eq!(percentile(&values, 99.0), Some(99));
        assert_eq!(percentile(&values, 100.0), Some(100));
        assert_eq!(percentile(&values, 0.1), Some(1));
    }

    #[test]
    fn small_and_empty_sets() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 99.0), Some(7));
        // With 10 values, p99 is the largest and p50 the 5th.
        let values: Vec<u64> = (10..20).collect();
        assert_eq!(percentile(&values, 99.0), Some(19));
        assert_eq!(percentile(&values, 50.0), Some(14));
    }

    #[test]
    fn summary_sorts_and_converts() {
        let mut latencies = vec![3000, 1000, 2000, 4000];
        let [p50, p90, p99, max] = summary_ms(&mut latencies);
        assert_eq!((p50, p90, p99, max), (2.0, 4.0, 4.0, 4.0));
    }

    #[test]
    fn tallies_merge() {
        let mut a = Tally::default();
        a.ok(Duration::from_micros(5));
        a.error("400 X".into());
        let mut b = Tally::default();
        b.error("400 X".into());
        b.error("io".into());
        a.merge(b);
        assert_eq!(a.latencies_us, vec![5]);
        assert_eq!(a.errors["400 X"], 2);
        assert_eq!(a.errors.values().sum::<u64>(), 3);
    }
}
