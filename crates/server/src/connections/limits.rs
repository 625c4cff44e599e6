//! How long a client may take and how many may be connected: the settings, their defaults and
//! checks, and the connection cap derived from the process's open-file limit.

use std::time::Duration;

use anyhow::{bail, ensure};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Defaults: long enough for any real client on a slow link, short enough that a client
/// holding connections open on purpose gains little.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// 64 KiB/s: a 1 MiB body (the largest accepted) may take 16 s.
pub const DEFAULT_BODY_MIN_RATE: u64 = 64 * 1024;
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest timeout accepted: anything longer defeats the point of having one.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Slowest minimum rate accepted: below it a 1 MiB body could take over 17 minutes.
pub const MIN_BODY_MIN_RATE: u64 = 1024;
/// Fewest connections a server may be left with once the reserve is taken.
const MIN_CONNECTIONS: usize = 16;
/// Most connections the default cap allows, however high the open-file limit: each costs
/// some memory (buffers, a task) even while silent, and container hard limits of 2^20 would
/// otherwise let a flood of silent connections take gigabytes. `--max-connections` may go
/// higher.
pub const MAX_DEFAULT_CONNECTIONS: usize = 65_536;

/// How long clients may take, and how many may be connected at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request head must be complete this long after the connection opened (after the TLS
    /// handshake), or after the first byte of a later request on the connection.
    pub header_timeout: Duration,
    /// A request body must be complete within the larger of this and its length at
    /// `body_min_rate`; a response must be taken by the client within the same.
    pub body_timeout: Duration,
    /// Bytes per second a body must at least arrive at once `body_timeout` has passed.
    pub body_min_rate: u64,
    /// A kept-alive connection with no request in flight is closed after this long.
    pub idle_timeout: Duration,
    /// Connections open at once, TLS handshakes included; `None` derives the cap from the
    /// open-file limit (see [`default_max_connections`]).
    pub max_connections: Option<usize>,
    /// On shutdown, connections still open after this long are dropped.
    pub shutdown_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            body_min_rate: DEFAULT_BODY_MIN_RATE,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: None,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }
}

/// [`ConnectionLimits`] checked, with the connection cap decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub body_min_rate: u64,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_timeout: Duration,
}

impl ConnectionLimits {
    /// Checks every value and decides the connection cap against `open_files`, the soft
    /// open-file limit (`None`: unlimited).
    pub fn resolve(&self, open_files: Option<u64>) -> anyhow::Result<Limits> {
        for (name, value) in [
            ("header timeout (--header-timeout)", self.header_timeout),
            ("body timeout (--body-timeout)", self.body_timeout),
            ("idle timeout (--idle-timeout)", self.idle_timeout),
            (
                "shutdown timeout (--shutdown-timeout)",
                self.shutdown_timeout,
            ),
        ] {
            ensure!(!value.is_zero(), "the {name} must be more than zero");
            ensure!(
                value <= MAX_TIMEOUT,
                "the {name} of {value:?} is longer than the {MAX_TIMEOUT:?} allowed"
            );
        }
        ensure!(
            self.body_min_rate >= MIN_BODY_MIN_RATE,
            "the minimum body rate (--body-min-rate) of {} bytes/s is below the \
             {MIN_BODY_MIN_RATE} bytes/s allowed",
            self.body_min_rate
        );
        let available = usable_descriptors(open_files);
        let max_connections = match self.max_connections {
            Some(0) => bail!("the connection cap (--max-connections) must be more than zero"),
            Some(n) if n > available => bail!(
                "--max-connections {n} is more than the open-file limit allows: {} files, of \
                 which {} are kept for the database, files and the listener, leaves {available}; \
                 raise the limit (ulimit -n) or lower --max-connections",
                describe(open_files),
                reserve(open_files.unwrap_or(u64::MAX)),
            ),
            Some(n) => n,
            None => available.min(MAX_DEFAULT_CONNECTIONS),
        };
        ensure!(
            max_connections >= MIN_CONNECTIONS,
            "the open-file limit of {} leaves {max_connections} connections once {} files are \
             kept for the database, files and the listener; raise it (ulimit -n) to at least {}",
            describe(open_files),
            reserve(open_files.unwrap_or(u64::MAX)),
            reserve(0) + MIN_CONNECTIONS as u64,
        );
        Ok(Limits {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            body_min_rate: self.body_min_rate,
            idle_timeout: self.idle_timeout,
            max_connections,
            shutdown_timeout: self.shutdown_timeout,
        })
    }
}

fn describe(open_files: Option<u64>) -> String {
    open_files.map_or_else(|| "unlimited".to_string(), |n| n.to_string())
}

/// Descriptors kept out of the connection cap for the database, its WAL and connections, the
/// listener, logs and certificate files.
pub fn reserve(open_files: u64) -> u64 {
    (open_files / 10).max(256)
}

/// The connection cap when none is given: the open-file limit less [`reserve`], so the server
/// refuses connections itself before `accept` or the database run out of descriptors, and at
/// most [`MAX_DEFAULT_CONNECTIONS`].
pub fn default_max_connections(open_files: Option<u64>) -> usize {
    usable_descriptors(open_files).min(MAX_DEFAULT_CONNECTIONS)
}

/// The open-file limit less [`reserve`]; unlimited counts as 2^20 (Linux's default
/// `nr_open`).
fn usable_descriptors(open_files: Option<u64>) -> usize {
    let limit = open_files.unwrap_or(1 << 20);
    usize::try_from(limit.saturating_sub(reserve(limit))).unwrap_or(usize::MAX)
}

/// The soft open-file limit of this process (`None`: unlimited).
pub fn open_file_limit() -> Option<u64> {
    getrlimit(Resource::Nofile).current
}

/// Raises the soft open-file limit to the hard one, as far as the kernel allows; returns
/// (before, after) when it changed.
pub fn raise_open_file_limit() -> std::io::Result<Option<(u64, u64)>> {
    let Rlimit {
        current: Some(soft),
        maximum: Some(hard),
    } = getrlimit(Resource::Nofile)
    else {
        // Unlimited already, or a hard limit the kernel would refuse as a soft one.
        return Ok(None);
    };
    if soft >= hard {
        return Ok(None);
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(hard),
            maximum: Some(hard),
        },
    )?;
    Ok(Some((soft, hard)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_leaves_a_reserve() {
        assert_eq!(default_max_connections(Some(20_000)), 18_000);
        assert_eq!(default_max_connections(Some(1024)), 768);
        assert_eq!(default_max_connections(Some(100)), 0);
        assert_eq!(default_max_connections(Some(60_000)), 54_000);
        assert_eq!(
            default_max_connections(Some(1 << 20)),
            MAX_DEFAULT_CONNECTIONS
        );
        assert_eq!(default_max_connections(None), MAX_DEFAULT_CONNECTIONS);
        // An explicit cap may pass the default's ceiling, within the descriptors.
        let many = ConnectionLimits {
            max_connections: Some(500_000),
            ..ConnectionLimits::default()
        };
        assert_eq!(
            many.resolve(Some(1 << 20)).unwrap().max_connections,
            500_000
        );
        let limits = ConnectionLimits::default().resolve(Some(20_000)).unwrap();
        assert_eq!(limits.max_connections, 18_000);
        assert_eq!(limits.header_timeout, DEFAULT_HEADER_TIMEOUT);
    }

    #[test]
    fn zero_and_absurd_values_are_refused() {
        let refused = |limits: ConnectionLimits, needle: &str| {
            let err = limits.resolve(Some(20_000)).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        };
        let base = ConnectionLimits::default();
        refused(
            ConnectionLimits {
                header_timeout: Duration::ZERO,
                ..base.clone()
            },
            "--header-timeout",
        );
        refused(
            ConnectionLimits {
                idle_timeout: MAX_TIMEOUT + Duration::from_secs(1),
                ..base.clone()
            },
            "--idle-timeout",
        );
        refused(
            ConnectionLimits {
                body_min_rate: 10,
                ..base.clone()
            },
            "--body-min-rate",
        );
        refused(
            ConnectionLimits {
                max_connections: Some(0),
                ..base.clone()
            },
            "more than zero",
        );
        refused(
            ConnectionLimits {
                max_connections: Some(19_000),
                ..base.clone()
            },
            "ulimit -n",
        );
        let err = base.resolve(Some(200)).unwrap_err().to_string();
        assert!(err.contains("raise it"), "{err}");
        let small = ConnectionLimits {
            max_connections: Some(100),
            ..base
        };
        assert_eq!(small.resolve(Some(20_000)).unwrap().max_connections, 100);
    }
}
