//! Slow and greedy clients against a real `cognitod serve`: half-sent heads, bodies that never
//! come, idle kept-alive connections, huge declared bodies, a shutdown with a request half
//! sent, and more idle connections than the process has descriptors. Short timeouts through
//! the flags keep it fast; everything runs on loopback addresses.

mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
use support::{Node, StoreConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// One test at a time: their timings are the point, and the last one loads the machine.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Lateness allowed past a timeout (the machine may be busy with other builds).
const MARGIN: Duration = Duration::from_millis(1500);

const LIST_POOLS_HEAD: &str = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: \
     application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n";

async fn start(dir: &tempfile::TempDir, flags: &[&str]) -> Node {
    Node::start_with(&StoreConfig::sqlite(dir.path().join("data")), None, flags).await
}

/// How a connection ended, as the client saw it.
#[derive(Debug)]
struct Closed {
    /// Everything the server sent.
    received: String,
    /// When the server closed it (EOF or reset), from `since`.
    after: Duration,
}

/// Reads until the server closes the connection; panics if it is still open after `limit`.
async fn read_until_closed(stream: &mut TcpStream, since: Instant, limit: Duration) -> Closed {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let outcome = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let received = String::from_utf8_lossy(&received).into_owned();
    assert!(
        outcome.is_ok(),
        "the connection was still open after {limit:?}; received: {received:?}"
    );
    Closed {
        received,
        after: since.elapsed(),
    }
}

/// Reads one response to a kept-alive request (its body is `{"status":"ok"}`).
async fn read_health_response(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.ends_with(br#"{"status":"ok"}"#) {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("a response")
            .expect("reading the response");
        assert!(n > 0, "closed before the response ended");
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn assert_within(what: &str, took: Duration, timeout: Duration) {
    println!("{what}: closed after {took:?} (timeout {timeout:?})");
    assert!(
        took >= timeout.mul_f64(0.9) && took <= timeout + MARGIN,
        "{what}: closed after {took:?}, expected about {timeout:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_closed_and_others_still_served() {
    let _serial = SERIAL.lock().await;
    let header = Duration::from_secs(1);
    let body = Duration::from_secs(1);
    let idle = Duration::from_millis(2500);
    let dir = tempfile::tempdir().unwrap();
    let node = start(
        &dir,
        &[
            "--header-timeout",
            "1",
            "--body-timeout",
            "1",
            "--body-min-rate",
            "1024",
            "--idle-timeout",
            "2.5",
        ],
    )
    .await;
    let addr = node.addr();

    // Part of a head, then nothing.
    let t0 = Instant::now();
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Tar")
        .await
        .unwrap();
    let closed = read_until_closed(&mut half, t0, header + MARGIN * 2).await;
    assert_within("half-sent head", closed.after, header);

    // A head sent a byte at a time: a trickle does not stretch the header timeout.
    let t0 = Instant::now();
    let trickle = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = trickle.into_split();
    let writer = tokio::spawn(async move {
        for byte in LIST_POOLS_HEAD.bytes().cycle() {
            if write.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut sink = Vec::new();
    tokio::time::timeout(header + MARGIN * 2, read.read_to_end(&mut sink))
        .await
        .expect("the trickling client is closed")
        .ok();
    writer.abort();
    assert_within("head sent a byte at a time", t0.elapsed(), header);

    // A head whose body never comes: 408, and the connection closes.
    let t0 = Instant::now();
    let mut no_body = TcpStream::connect(addr).await.unwrap();
    no_body
        .write_all(format!("{LIST_POOLS_HEAD}Content-Length: 100\r\n\r\n{{").as_bytes())
        .await
        .unwrap();
    let closed = read_until_closed(&mut no_body, t0, body + MARGIN * 2).await;
    assert!(
        closed.received.starts_with("HTTP/1.1 408"),
        "{}",
        closed.received
    );
    assert!(
        closed.received.contains("RequestTimeoutException"),
        "{}",
        closed.received
    );
    assert_within("body that never comes", closed.after, body);

    // A 4 KiB body at a little over the minimum rate of 1 KiB/s takes longer than the header,
    // body and idle timeouts, and is served: the body's deadline grows with its length, and
    // no other deadline runs while a request is read or handled.
    let t0 = Instant::now();
    let mut slow_body = TcpStream::connect(addr).await.unwrap();
    let body = format!("{:<4096}", r#"{"MaxResults": 10}"#);
    slow_body
        .write_all(format!("{LIST_POOLS_HEAD}Content-Length: 4096\r\n\r\n").as_bytes())
        .await
        .unwrap();
    for piece in body.as_bytes().chunks(512) {
        tokio::time::sleep(Duration::from_millis(375)).await;
        slow_body.write_all(piece).await.unwrap();
    }
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), slow_body.read(&mut buf))
        .await
        .expect("an answer to the slow body")
        .unwrap();
    let response = String::from_utf8_lossy(&buf[..n]);
    println!(
        "4 KiB body sent over {:?}: {}",
        t0.elapsed(),
        response.lines().next().unwrap_or("")
    );
    assert!(t0.elapsed() > idle, "{:?}", t0.elapsed());
    // Unsigned, so refused, but by the API: the whole body was read.
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(response.contains("x-amzn-errortype"), "{response}");

    // A kept-alive connection after its response: closed after the idle timeout, which is
    // longer than the header timeout (they are separate).
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let response = read_health_response(&mut kept).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let t0 = Instant::now();
    let closed = read_until_closed(&mut kept, t0, idle + MARGIN * 2).await;
    assert!(closed.received.is_empty(), "{}", closed.received);
    assert_within("idle keep-alive connection", closed.after, idle);

    // A kept-alive connection whose next request comes after more than the header timeout
    // but within the idle timeout is served again.
    let mut reused = TcpStream::connect(addr).await.unwrap();
    for _ in 0..2 {
        reused
            .write_all(b"GET /health/ready HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let response = read_health_response(&mut reused).await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        tokio::time::sleep(header + Duration::from_millis(500)).await;
    }

    // After all of that, a normal signed call works.
    let pools = node
        .idp()
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("ListUserPools");
    assert!(pools.user_pools().is_empty());
    assert!(!node.log().contains("panicked"), "{}", node.log_tail());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_refused_at_once() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    // The default timeouts (10 s): the answers must come long before.
    let node = start(&dir, &[]).await;
    let addr = node.addr();

    let t0 = Instant::now();
    let mut huge = TcpStream::connect(addr).await.unwrap();
    huge.write_all(format!("{LIST_POOLS_HEAD}Content-Length: 10000000000\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let closed = read_until_closed(&mut huge, t0, Duration::from_secs(5)).await;
    println!("Content-Length 10000000000: answered in {:?}", closed.after);
    assert!(
        closed.received.starts_with("HTTP/1.1 413"),
        "{}",
        closed.received
    );
    assert!(
        closed.received.contains("RequestEntityTooLargeException"),
        "{}",
        closed.received
    );
    assert!(closed.after < Duration::from_secs(2), "{:?}", closed.after);

    // Chunked, no length declared: refused once the limit is passed.
    let t0 = Instant::now();
    let chunked = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = chunked.into_split();
    let writer = tokio::spawn(async move {
        let head = format!("{LIST_POOLS_HEAD}Transfer-Encoding: chunked\r\n\r\n");
        write.write_all(head.as_bytes()).await?;
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        for _ in 0..24 {
            write.write_all(chunk.as_bytes()).await?;
        }
        std::io::Result::Ok(())
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(Ok(n @ 1..)) =
        tokio::time::timeout(Duration::from_secs(5), read.read(&mut buf)).await
    {
        response.extend_from_slice(&buf[..n]);
    }
    writer.abort();
    let response = String::from_utf8_lossy(&response);
    println!(
        "chunked body over the limit: answered in {:?}",
        t0.elapsed()
    );
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_within_the_shutdown_timeout() {
    let _serial = SERIAL.lock().await;
    let shutdown = Duration::from_secs(2);
    let dir = tempfile::tempdir().unwrap();
    // Head and body timeouts far longer than the shutdown timeout: the deadline ends it.
    let mut node = start(
        &dir,
        &[
            "--header-timeout",
            "30",
            "--body-timeout",
            "30",
            "--shutdown-timeout",
            "2",
        ],
    )
    .await;
    let addr = node.addr();

    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Tar")
        .await
        .unwrap();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    read_health_response(&mut idle).await;
    let mut silent = TcpStream::connect(addr).await.unwrap();
    // A request whose body is still on its way when the signal comes.
    let mut in_flight = TcpStream::connect(addr).await.unwrap();
    in_flight
        .write_all(format!("{LIST_POOLS_HEAD}Content-Length: 2\r\n\r\n{{").as_bytes())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let t0 = Instant::now();
    node.terminate();
    // Connections with no request in flight are closed at once.
    let closed = read_until_closed(&mut idle, t0, MARGIN).await;
    println!(
        "shutdown: idle kept-alive connection closed after {:?}",
        closed.after
    );
    let closed = read_until_closed(&mut silent, t0, MARGIN).await;
    println!(
        "shutdown: silent connection closed after {:?}",
        closed.after
    );
    // The request in flight completes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    in_flight.write_all(b"}").await.unwrap();
    let answered = read_until_closed(&mut in_flight, t0, MARGIN * 2).await;
    println!(
        "shutdown: request in flight answered after {:?}",
        answered.after
    );
    assert!(
        answered.received.starts_with("HTTP/1.1 4"),
        "{}",
        answered.received
    );
    assert!(
        answered.received.contains("x-amzn-requestid"),
        "{}",
        answered.received
    );
    // No new connections meanwhile.
    assert!(TcpStream::connect(addr).await.is_err());

    let status = node
        .wait_exit(shutdown + MARGIN)
        .await
        .unwrap_or_else(|| panic!("still running {:?} after SIGTERM", t0.elapsed()));
    let took = t0.elapsed();
    println!("shutdown with a half-sent request: exited with {status} after {took:?}");
    assert!(status.success(), "{status}; log:\n{}", node.log_tail());
    assert!(took >= shutdown.mul_f64(0.9), "{took:?}");
    let closed = read_until_closed(&mut half, t0, MARGIN).await;
    assert!(closed.received.is_empty(), "{}", closed.received);

    // With nothing in flight, the exit is prompt.
    let dir = tempfile::tempdir().unwrap();
    let mut node = start(&dir, &["--shutdown-timeout", "10"]).await;
    let mut idle = TcpStream::connect(node.addr()).await.unwrap();
    idle.write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    read_health_response(&mut idle).await;
    let _silent = TcpStream::connect(node.addr()).await.unwrap();
    let t0 = Instant::now();
    node.terminate();
    let status = node.wait_exit(MARGIN).await.expect("a prompt exit");
    println!(
        "shutdown with idle connections only: exited with {status} after {:?}",
        t0.elapsed()
    );
    assert!(status.success(), "{status}");
}

/// Raises this process's open-file limit to at least `needed`: the soft one up to the hard
/// one, and the hard one too where the process may (root with CAP_SYS_RESOURCE).
fn raise_open_files(needed: u64) {
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_none_or(|soft| soft >= needed) {
        return;
    }
    let raised = Rlimit {
        current: Some(needed),
        maximum: limit.maximum.map(|hard| hard.max(needed)),
    };
    setrlimit(Resource::Nofile, raised).unwrap_or_else(|err| {
        panic!(
            "a flood helper needs {needed} open files ({limit:?} now) and could not raise the \
             limit: {err}"
        )
    });
}

/// What one of the flood's connections saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Accepted, then closed without a word (the header timeout).
    Closed,
    /// Answered 503 and closed (over the cap).
    Refused,
    /// Anything else.
    Other,
}

/// Set in the environment of a flood helper: `address,connections,first source`.
const FLOOD_ENV: &str = "COGNITOD_TEST_FLOOD";
/// Connections of the whole flood. A process may hold no more descriptors than its hard
/// limit (20,000 here, and root without CAP_SYS_RESOURCE cannot raise it), so the flood is
/// split between helper processes.
const FLOOD_CONNECTIONS: usize = 25_000;
/// Source addresses per helper, so no one address runs out of ports.
const SOURCES_PER_HELPER: usize = 4;

/// Not a test of its own: the flood's helper process (this test binary run again with
/// [`FLOOD_ENV`] set). Opens its connections at once, reports on stdout when they are open,
/// then what each saw once the server closed them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_helper() {
    let Ok(spec) = std::env::var(FLOOD_ENV) else {
        return;
    };
    let mut parts = spec.split(',');
    let addr: SocketAddr = parts.next().unwrap().parse().unwrap();
    let count: usize = parts.next().unwrap().parse().unwrap();
    let first_source: usize = parts.next().unwrap().parse().unwrap();
    raise_open_files(count as u64 + 1_000);

    let t0 = Instant::now();
    let connect = |i: usize| async move {
        let host = u8::try_from(first_source + i % SOURCES_PER_HELPER).unwrap();
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::from((Ipv4Addr::new(127, 0, 0, host), 0)))?;
        socket.connect(addr).await
    };
    let connected: Vec<std::io::Result<TcpStream>> = futures::stream::iter(0..count)
        .map(connect)
        .buffer_unordered(256)
        .collect()
        .await;
    let failed: Vec<_> = connected.iter().filter_map(|c| c.as_ref().err()).collect();
    println!(
        "flood opened {} {} {:?}",
        t0.elapsed().as_millis(),
        failed.len(),
        failed.first()
    );

    let watchers: Vec<_> = connected
        .into_iter()
        .flatten()
        .map(|mut stream| {
            tokio::spawn(async move {
                let mut received = Vec::new();
                let read = tokio::time::timeout(
                    Duration::from_secs(30),
                    stream.read_to_end(&mut received),
                )
                .await;
                match read {
                    Ok(Ok(_)) if received.is_empty() => Seen::Closed,
                    Ok(Ok(_)) if received.starts_with(b"HTTP/1.1 503 ") => Seen::Refused,
                    _ => Seen::Other,
                }
            })
        })
        .collect();
    let mut seen = [0usize; 3];
    for watcher in watchers {
        seen[watcher.await.unwrap() as usize] += 1;
    }
    println!(
        "flood seen {} {} {} {}",
        seen[0],
        seen[1],
        seen[2],
        t0.elapsed().as_millis()
    );
}

/// Starts a flood helper for `count` connections to `addr`; its stdout lines arrive on the
/// returned channel.
fn spawn_flood_helper(
    addr: SocketAddr,
    count: usize,
    first_source: usize,
    lines: std::sync::mpsc::Sender<String>,
) -> std::process::Child {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "flood_helper",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(FLOOD_ENV, format!("{addr},{count},{first_source}"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawning a flood helper");
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            // The test harness may print on the same line first.
            if let Some(at) = line.find("flood ")
                && lines.send(line[at..].to_string()).is_err()
            {
                break;
            }
        }
    });
    child
}

/// Waits for the next line of a flood helper starting with `prefix`; its numbers.
async fn next_report(
    lines: &std::sync::mpsc::Receiver<String>,
    prefix: &str,
    limit: Duration,
) -> Vec<u64> {
    let deadline = Instant::now() + limit;
    loop {
        match lines.try_recv() {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix(prefix) {
                    println!("helper: {line}");
                    return rest
                        .split_whitespace()
                        .map_while(|n| n.parse().ok())
                        .collect();
                }
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                assert!(
                    Instant::now() < deadline,
                    "no {prefix:?} from a flood helper"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(err) => panic!("a flood helper ended early: {err}"),
        }
    }
}

/// The connection cap a server reports in its banner.
fn server_cap(log: &str) -> usize {
    log.lines()
        .find_map(|line| {
            let rest = line.split_once("up to ")?.1;
            rest.split_once(" connections")?.0.parse().ok()
        })
        .unwrap_or_else(|| panic!("no connection cap in the banner:\n{log}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_idle_connections_than_descriptors() {
    let _serial = SERIAL.lock().await;
    let idle = Duration::from_secs(8);
    let dir = tempfile::tempdir().unwrap();
    // The server inherits this process's open-file limits, raises its soft limit to the hard
    // one and derives its cap from that; only where that cap would take the whole flood is
    // a lower one given.
    let hard = getrlimit(Resource::Nofile).maximum;
    let default_cap = cognitod_server::connections::limits::default_max_connections(hard);
    let explicit_cap = (FLOOD_CONNECTIONS * 7 / 10).to_string();
    let mut flags = vec!["--header-timeout", "4", "--idle-timeout", "8"];
    if default_cap >= FLOOD_CONNECTIONS * 9 / 10 {
        flags.extend(["--max-connections", explicit_cap.as_str()]);
    }
    let mut node = start(&dir, &flags).await;
    let cap = server_cap(&node.log());
    let addr = node.addr();

    // Each helper holds as many connections as its hard limit allows, less a margin.
    let per_process = usize::try_from(hard.unwrap_or(u64::MAX).saturating_sub(1_000))
        .unwrap_or(usize::MAX)
        .min(FLOOD_CONNECTIONS / 2);
    let helper_count = FLOOD_CONNECTIONS.div_ceil(per_process);
    let t0 = Instant::now();
    let (tx, lines) = std::sync::mpsc::channel();
    let mut helpers: Vec<_> = (0..helper_count)
        .map(|i| {
            let count = (FLOOD_CONNECTIONS - i * per_process).min(per_process);
            spawn_flood_helper(addr, count, 2 + i * SOURCES_PER_HELPER, tx.clone())
        })
        .collect();
    drop(tx);
    let mut slowest_open = 0;
    for _ in 0..helper_count {
        let opened = next_report(&lines, "flood opened ", Duration::from_secs(60)).await;
        assert_eq!(opened[1], 0, "connections failed to open");
        slowest_open = slowest_open.max(opened[0]);
    }
    let opened = t0.elapsed();
    println!(
        "{FLOOD_CONNECTIONS} connections opened {opened:?} after the helpers started (the \
         slowest helper took {slowest_open} ms)"
    );
    assert!(node.is_running(), "{}", node.log_tail());

    // The server answers again once the silent connections are closed.
    let http = support::http();
    let ready = format!("{}/health/ready", node.url);
    let mut probes = 0;
    let answered = loop {
        probes += 1;
        let status = http
            .get(&ready)
            .header("connection", "close")
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|err| err.to_string());
        if status == Ok(200) {
            break t0.elapsed();
        }
        assert!(
            t0.elapsed() < opened + idle + MARGIN * 2,
            "/health/ready did not answer 200 within the idle timeout: {status:?}; log:\n{}",
            node.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let recovered = answered.saturating_sub(opened);
    println!(
        "/health/ready answered 200 {recovered:?} after the connections were opened ({probes} \
         probes)"
    );
    assert!(recovered <= idle, "{recovered:?}");

    let mut seen = [0u64; 3];
    for _ in 0..helper_count {
        let report = next_report(&lines, "flood seen ", Duration::from_secs(60)).await;
        for (total, n) in seen.iter_mut().zip(report) {
            *total += n;
        }
    }
    for helper in &mut helpers {
        assert!(helper.wait().unwrap().success(), "a flood helper failed");
    }
    let [closed, refused, other] = seen;
    println!(
        "server cap {cap} (hard open-file limit {hard:?}): {closed} accepted and closed by \
         the header timeout, {refused} refused with 503, {other} other; all done after {:?}",
        t0.elapsed()
    );
    assert_eq!(other, 0);
    assert_eq!(closed + refused, FLOOD_CONNECTIONS as u64);
    // Past the cap connections were refused. (More than the cap may have been accepted in
    // all: connections still in the kernel's backlog are accepted once earlier ones reach
    // their header timeout.)
    assert!(refused > 0 && closed > 0);

    assert!(node.is_running(), "{}", node.log_tail());
    let log = node.log();
    assert!(!log.contains("Too many open files"), "{}", node.log_tail());
    assert!(
        !log.contains("accepting a connection failed"),
        "{}",
        node.log_tail()
    );
    assert!(
        log.contains("connection cap reached"),
        "{}",
        node.log_tail()
    );
}
