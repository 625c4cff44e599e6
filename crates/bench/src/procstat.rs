//! What Linux reports about a process: CPU time from `/proc/PID/stat`, resident memory from
//! `/proc/PID/status`.

/// Clock ticks per second of the `stat` times (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds in the text of a `/proc/PID/stat` file.
///
/// The command name (field 2) is in parentheses and may itself hold spaces and parentheses,
/// so fields are counted after the last `)`: utime and stime, fields 14 and 15 of the file,
/// are the 12th and 13th after it.
pub fn parse_cpu_seconds(stat: &str) -> Option<f64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_SECOND)
}

/// CPU seconds process `pid` has used, or `None` when it is gone or unreadable.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    parse_cpu_seconds(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// CPU seconds this process has used.
pub fn own_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| parse_cpu_seconds(&s))
        .unwrap_or(0.0)
}

/// `VmRSS` in KiB from the text of a `/proc/PID/status` file.
pub fn parse_rss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Resident memory of process `pid` in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    parse_rss_kib(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// Logical CPUs of this machine.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_utime_plus_stime() {
        // A real line, with a command name holding a space and a parenthesis.
        let stat = "4242 (cognitod (x) y) S 1 4242 4242 0 -1 4194560 2310 0 0 0 \
                    1234 567 0 0 20 0 4 0 12345 123456789 4321 18446744073709551615";
        assert_eq!(parse_cpu_seconds(stat), Some(18.01));
    }

    #[test]
    fn truncated_stat_is_none() {
        assert_eq!(parse_cpu_seconds("1 (x) S 1 2 3"), None);
        assert_eq!(parse_cpu_seconds("no parenthesis"), None);
    }

    #[test]
    fn own_process_has_a_stat() {
        let text = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(parse_cpu_seconds(&text).is_some());
        assert!(rss_kib(std::process::id()).unwrap() > 0);
    }

    #[test]
    fn rss_line() {
        let status = "Name:\tcognitod\nVmPeak:\t  99999 kB\nVmRSS:\t   23456 kB\nThreads:\t4\n";
        assert_eq!(parse_rss_kib(status), Some(23456));
        assert_eq!(parse_rss_kib("Name:\tx\n"), None);
    }
}
