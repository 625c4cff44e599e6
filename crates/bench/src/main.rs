//! cognitod-bench: a closed-loop HTTP/1.1 keep-alive load generator for cognitod or any
//! Cognito-compatible endpoint.
//!
//! N clients, each on its own keep-alive connection, send requests back to back for each
//! scenario (a warm-up, then the measured window). The run creates its own user pool, app
//! client and users through the API and deletes the pool afterwards. Prints a Markdown
//! table and one JSON line per scenario on stdout.
//!
//!   cargo run --release -p cognitod-bench -- --endpoint http://127.0.0.1:9229 \
//!       --data-dir ./cognitod-data --scenario all --server-pid "$(pidof cognitod)"

mod api;
mod fixtures;
mod http;
mod procstat;
mod report;
mod scenarios;
mod sign;
mod stats;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Deserialize;
use tokio::time::sleep_until;

use crate::http::{Conn, Target};
use crate::report::{PerCoreBasis, Row};
use crate::scenarios::{Scenario, Shared, Worker};
use crate::sign::Signer;
use crate::stats::Tally;

#[derive(Debug, Parser)]
#[command(
    name = "cognitod-bench",
    version,
    about = "Closed-loop HTTP/1.1 load generator for cognitod or any Cognito-compatible endpoint"
)]
struct Args {
    /// Base URL of the cognito-idp endpoint.
    #[arg(long, default_value = "http://127.0.0.1:9229")]
    endpoint: String,
    /// `all` or a comma list: admin_create_user, sign_up, initiate_auth, srp_auth, refresh,
    /// get_user, list_users_filter, jwks, client_credentials.
    #[arg(long, default_value = "all")]
    scenario: String,
    /// Concurrent clients, each on its own keep-alive connection.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Measured seconds per scenario.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Unmeasured seconds before each scenario's window.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    #[arg(long, env = "AWS_ACCESS_KEY_ID")]
    access_key_id: Option<String>,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_access_key: Option<String>,
    /// cognitod's data dir: the root key is read from its root-key.json (it takes precedence
    /// over --access-key-id); also passed to --fixtures-cli.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// cognitod's --database-url, passed to --fixtures-cli.
    #[arg(long)]
    database_url: Option<String>,
    /// The `cognitod` binary: ListUsers users are inserted with `cognitod fixtures users`
    /// on the same data dir or database instead of through AdminCreateUser.
    #[arg(long)]
    fixtures_cli: Option<PathBuf>,
    /// Users for list_users_filter.
    #[arg(long, default_value_t = 100_000)]
    users: u64,
    /// The server's process id: per-core rates become ok per CPU-second of that process.
    #[arg(long)]
    server_pid: Option<u32>,
    /// JSON lines from `cargo bench -p cognitod-crypto --bench ceilings`; the figures of
    /// docs/performance.md otherwise.
    #[arg(long)]
    ceilings: Option<PathBuf>,
    /// Keep the pool, its clients and users.
    #[arg(long)]
    keep: bool,
    /// Print only the JSON lines.
    #[arg(long)]
    json_only: bool,
}

#[derive(Deserialize)]
struct RootKeyFile {
    access_key_id: String,
    secret_access_key: String,
}

const PASSWORD: &str = "Bench-Password-1";
const LIST_PREFIX: &str = "user";

fn signer(args: &Args) -> anyhow::Result<Signer> {
    let (access_key_id, secret_access_key) = match &args.data_dir {
        Some(dir) => {
            let path = dir.join("root-key.json");
            let key: RootKeyFile = serde_json::from_slice(
                &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
            )
            .with_context(|| format!("reading {}", path.display()))?;
            (key.access_key_id, key.secret_access_key)
        }
        None => (
            args.access_key_id
                .clone()
                .context("give --data-dir, or --access-key-id/AWS_ACCESS_KEY_ID")?,
            args.secret_access_key
                .clone()
                .context("give --secret-access-key or AWS_SECRET_ACCESS_KEY")?,
        ),
    };
    Ok(Signer {
        access_key_id,
        secret_access_key,
        region: args.region.clone(),
        service: "cognito-idp".into(),
    })
}

fn run_id() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..6)
        .map(|_| (b'a' + rng.random_range(0..26u8)) as char)
        .collect()
}

/// Whether the endpoint has an OAuth token endpoint: one answers an unknown client with an
/// OAuth error (400 or 401 and `{"error": ...}`, RFC 6749 section 5.2).
async fn has_token_endpoint(target: &Arc<Target>) -> anyhow::Result<bool> {
    let mut conn = Conn::new(target.clone());
    let request = scenarios::token_request("probe", "probe", "")?;
    let reply = conn.send(request).await?;
    Ok(matches!(reply.status, 400 | 401) && reply.json().get("error").is_some())
}

struct Window {
    measure_from: tokio::time::Instant,
    until: tokio::time::Instant,
}

/// One client's loop: operations back to back until the window ends; only operations
/// that start and finish inside the measured window count.
async fn client_loop(
    mut worker: Worker,
    scenario: Scenario,
    shared: Arc<Shared>,
    from: Instant,
    until: Instant,
) -> (Worker, Tally, u64) {
    let mut tally = Tally::default();
    let mut requests_in_window = 0;
    loop {
        let started = Instant::now();
        if started >= until {
            break;
        }
        let before = worker.requests;
        let result = worker.run(scenario, &shared).await;
        let finished = Instant::now();
        if started >= from && finished <= until {
            requests_in_window += worker.requests - before;
            match result {
                Ok(()) => tally.ok(finished - started),
                Err(failure) => tally.error(failure.0),
            }
        } else if result.is_err() {
            // Keep failing clients from spinning during the warm-up.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    (worker, tally, requests_in_window)
}

async fn run_scenario(
    scenario: Scenario,
    shared: &Arc<Shared>,
    workers: Vec<Worker>,
    args: &Args,
    target: &Target,
) -> (Vec<Worker>, Row) {
    let now = Instant::now();
    let from = now + Duration::from_secs_f64(args.warmup);
    let until = from + Duration::from_secs_f64(args.duration);
    let window = Window {
        measure_from: tokio::time::Instant::from_std(from),
        until: tokio::time::Instant::from_std(until),
    };
    let connects_before = target.connects.load(std::sync::atomic::Ordering::Relaxed);
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|worker| tokio::spawn(client_loop(worker, scenario, shared.clone(), from, until)))
        .collect();
    sleep_until(window.measure_from).await;
    let server_cpu0 = args.server_pid.and_then(procstat::cpu_seconds);
    let client_cpu0 = procstat::own_cpu_seconds();
    sleep_until(window.until).await;
    let server_cpu1 = args.server_pid.and_then(procstat::cpu_seconds);
    let client_cpu1 = procstat::own_cpu_seconds();
    let mut workers = Vec::new();
    let mut tally = Tally::default();
    let mut requests = 0;
    for task in tasks {
        let (worker, t, r) = task.await.expect("client task");
        workers.push(worker);
        tally.merge(t);
        requests += r;
    }
    let [p50_ms, p90_ms, p99_ms, max_ms] = stats::summary_ms(&mut tally.latencies_us);
    let row = Row {
        scenario: scenario.name(),
        connections: args.connections,
        seconds: args.duration,
        ok: tally.latencies_us.len() as u64,
        requests,
        connects: target.connects.load(std::sync::atomic::Ordering::Relaxed) - connects_before,
        server_cpu_s: server_cpu0.zip(server_cpu1).map(|(a, b)| b - a),
        client_cpu_s: client_cpu1 - client_cpu0,
        server_rss_kib: args.server_pid.and_then(procstat::rss_kib),
        p50_ms,
        p90_ms,
        p99_ms,
        max_ms,
        errors: tally.errors,
        ..Row::default()
    };
    (workers, row)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cognitod-bench: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.connections > 0, "--connections must be at least 1");
    anyhow::ensure!(args.duration > 0.0, "--duration must be positive");
    let scenarios = Scenario::parse_list(&args.scenario)?;
    let target = Target::parse(&args.endpoint)?;
    let signer = signer(&args)?;
    let ceilings = report::load_ceilings(args.ceilings.as_deref())?;
    let basis = match args.server_pid {
        Some(pid) => {
            procstat::cpu_seconds(pid)
                .with_context(|| format!("--server-pid {pid}: no readable /proc/{pid}/stat"))?;
            PerCoreBasis::ServerCpu
        }
        None => PerCoreBasis::BoxCores(procstat::cores()),
    };
    let quiet = args.json_only;
    let say = |text: String| {
        if !quiet {
            eprintln!("{text}");
        }
    };

    let token_endpoint = if scenarios.contains(&Scenario::ClientCredentials) {
        has_token_endpoint(&target).await?
    } else {
        false
    };

    let run_id = run_id();
    let mut conns: Vec<Conn> = (0..args.connections)
        .map(|_| Conn::new(target.clone()))
        .collect();
    let pool_id = fixtures::create_pool(&mut conns[0], &signer, &run_id).await?;
    say(format!("pool {pool_id} (run {run_id})"));
    let result = async {
        let client_id = fixtures::create_client(&mut conns[0], &signer, &pool_id).await?;
        let token_client = if token_endpoint {
            Some(fixtures::create_token_client(&mut conns[0], &signer, &pool_id).await?)
        } else {
            None
        };
        // Each login user costs the server two argon2id hashes: only when a scenario signs in.
        let login_users = if scenarios.iter().any(|s| s.needs_login_users()) {
            fixtures::create_login_users(&mut conns, &signer, &pool_id, PASSWORD).await?
        } else {
            Vec::new()
        };
        if scenarios.contains(&Scenario::ListUsersFilter) {
            let cli = args
                .fixtures_cli
                .as_ref()
                .map(|binary| fixtures::FixturesCli {
                    binary: binary.clone(),
                    data_dir: args.data_dir.clone(),
                    database_url: args.database_url.clone(),
                });
            if let Some(pid) = args.server_pid {
                say(format!(
                    "server RSS before the ListUsers users: {} KiB",
                    procstat::rss_kib(pid).unwrap_or(0)
                ));
            }
            fixtures::create_list_users(
                &mut conns,
                &signer,
                &pool_id,
                LIST_PREFIX,
                args.users,
                cli.as_ref(),
                quiet,
            )
            .await?;
        }
        let shared = Arc::new(Shared {
            signer: signer.clone(),
            pool_id: pool_id.clone(),
            client_id,
            password: PASSWORD.to_string(),
            login_users,
            list_prefix: LIST_PREFIX.to_string(),
            list_users: args.users,
            run_id: run_id.clone(),
            token_client,
        });
        let mut workers: Vec<Worker> = conns
            .drain(..)
            .enumerate()
            .map(|(index, conn)| Worker {
                index,
                conn,
                rng: StdRng::from_rng(&mut rand::rng()),
                seq: 0,
                requests: 0,
                access_token: None,
                refresh_token: None,
            })
            .collect();
        let mut rows = Vec::new();
        for scenario in scenarios.iter().copied() {
            if scenario == Scenario::ClientCredentials && !token_endpoint {
                let row = Row {
                    scenario: scenario.name(),
                    skipped: Some("no token endpoint".into()),
                    ..Row::default()
                };
                say(format!("{}: skipped: no token endpoint", scenario.name()));
                println!("{}", row.json(basis));
                rows.push(row);
                continue;
            }
            if scenario.needs_tokens() {
                for worker in workers.iter_mut().filter(|w| w.refresh_token.is_none()) {
                    worker
                        .password_sign_in(&shared)
                        .await
                        .map_err(|f| anyhow::anyhow!("signing in for {}: {f}", scenario.name()))?;
                }
            }
            say(format!(
                "{}: {} connections, {} s warm-up, {} s measured",
                scenario.name(),
                args.connections,
                args.warmup,
                args.duration
            ));
            let (back, mut row) = run_scenario(scenario, &shared, workers, &args, &target).await;
            workers = back;
            row.ceiling_name = scenario.ceiling_name();
            row.ceiling = row.ceiling_name.and_then(|n| ceilings.get(n).copied());
            row.compute_per_core(basis);
            println!("{}", row.json(basis));
            rows.push(row);
        }
        conns = workers.into_iter().map(|w| w.conn).collect();
        anyhow::Ok(rows)
    }
    .await;

    if conns.is_empty() {
        conns.push(Conn::new(target.clone()));
    }
    if args.keep {
        say(format!("kept pool {pool_id}"));
    } else if let Err(err) = fixtures::delete_pool(&mut conns[0], &signer, &pool_id).await {
        eprintln!("cognitod-bench: deleting pool {pool_id}: {err:#}");
    }
    let rows = result?;
    if !quiet {
        println!();
        println!(
            "cognitod-bench: {} connections, {} s per scenario after {} s warm-up, {}",
            args.connections, args.duration, args.warmup, args.endpoint
        );
        print!("{}", report::table(&rows, basis));
        let total_requests: u64 = rows.iter().map(|r| r.requests).sum();
        let connects = target.connects.load(std::sync::atomic::Ordering::Relaxed);
        println!(
            "\n{total_requests} measured requests; {connects} TCP connections opened in the whole run (set-up included)"
        );
    }
    Ok(())
}
