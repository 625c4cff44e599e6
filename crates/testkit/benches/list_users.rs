//! ListUsers with an `email ^= "..."` filter on a 100,000-user pool (SQLite by default,
//! PostgreSQL with `COGNITOD_TEST_BACKEND=postgres`): latency percentiles over signed
//! AWS JSON requests on one keep-alive connection, as a client sees them.
//!
//!   cargo bench -p cognitod-testkit --bench list_users
//!   (COGNITOD_BENCH_USERS and COGNITOD_BENCH_REQUESTS change the sizes)

use std::time::Instant;

use cognitod_store::{AliasKey, UserRecord};
use cognitod_testkit::TestServer;
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::json;

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

#[tokio::main]
async fn main() {
    let users = env_usize("COGNITOD_BENCH_USERS", 100_000);
    let requests = env_usize("COGNITOD_BENCH_REQUESTS", 2_000);
    let server = TestServer::start().await;
    let created = server
        .call("CreateUserPool", &json!({"PoolName": "bench"}))
        .await;
    let pool = created.json()["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();

    let started = Instant::now();
    let mut rng = rand::rng();
    let store = server.store();
    for chunk_start in (0..users).step_by(10_000) {
        let chunk: Vec<(UserRecord, Vec<AliasKey>)> = (chunk_start
            ..(chunk_start + 10_000).min(users))
            .map(|i| {
                let local: String = (0..8)
                    .map(|_| *LETTERS.choose(&mut rng).unwrap() as char)
                    .collect();
                let sub = uuid::Uuid::new_v4().to_string();
                let record = UserRecord {
                    pool_id: pool.clone(),
                    username: format!("user{i:07}"),
                    username_key: format!("user{i:07}"),
                    sub: sub.clone(),
                    status: "CONFIRMED".into(),
                    enabled: true,
                    attributes: vec![
                        ("sub".into(), sub),
                        ("email".into(), format!("{local}{i}@example.com")),
                        ("email_verified".into(), "true".into()),
                    ],
                    password_hash: None,
                    credentials: json!({}),
                    created_at: 0,
                    updated_at: 0,
                    version: 0,
                };
                (record, Vec::new())
            })
            .collect();
        store.create_users_bulk(&chunk).await.expect("bulk insert");
    }
    eprintln!(
        "seeded {users} users in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut latencies = Vec::with_capacity(requests);
    let mut returned = 0usize;
    let run = Instant::now();
    for _ in 0..requests {
        let prefix: String = (0..2)
            .map(|_| *LETTERS.choose(&mut rng).unwrap() as char)
            .collect();
        let limit = rng.random_range(10..=60);
        let body =
            json!({"UserPoolId": pool, "Filter": format!("email ^= \"{prefix}\""), "Limit": limit});
        let t = Instant::now();
        let response = server.call("ListUsers", &body).await;
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(response.status, 200, "{}", response.body);
        returned += response.json()["Users"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
    }
    let total = run.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "list_users_filter backend={:?} users={users} requests={requests} users_returned={returned} \
         p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms rate={:.0}/s (one client, sequential, keep-alive)",
        server.backend_kind,
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        latencies.last().unwrap(),
        requests as f64 / total,
    );
    server.stop().await;
}
