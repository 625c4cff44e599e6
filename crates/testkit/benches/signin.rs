//! Sign-in throughput: password logins, SRP logins, refreshes and GetUser against an
//! in-process server on SQLite, each next to the ceiling of the primitive that bounds it.
//!
//!   cargo bench -p cognitod-testkit --bench signin
//!
//! Rates are per CPU-second of this process (server and client together, read from
//! /proc/self/stat), so they are per-core figures whatever the machine's load. The SRP client
//! runs here too: its own modexp work is included in the SRP figure.
//! COGNITOD_BENCH_OPS (default 300) and COGNITOD_BENCH_CONCURRENCY (default 4) tune a run.

use std::sync::Arc;
use std::time::Instant;

use aws_cognito_srp::{SrpClient, User};
use cognitod_testkit::TestServer;
use serde_json::{Value, json};

const PASSWORD: &str = "Correct-Horse-1";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds (user + system) this process has used.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Report {
    name: &'static str,
    per_cpu_second: f64,
}

async fn scenario<F, Fut>(name: &'static str, ops: usize, concurrency: usize, op: F) -> Report
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let cpu = cpu_seconds();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for i in (worker..ops).step_by(concurrency) {
                let t = Instant::now();
                op(i).await;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = (cpu_seconds() - cpu).max(0.01);
    latencies.sort_by(f64::total_cmp);
    let report = Report {
        name,
        per_cpu_second: ops as f64 / cpu,
    };
    println!(
        "{name:<16} {ops:>6} ops  {:>8.1} ops/s wall  {:>8.1} ops per CPU-second  p50 {:>6.2} ms  p99 {:>6.2} ms",
        ops as f64 / wall,
        report.per_cpu_second,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
    );
    report
}

/// Operations per CPU-second of `f`, run `n` times on this thread.
fn ceiling(n: usize, mut f: impl FnMut()) -> f64 {
    let cpu = cpu_seconds();
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    let cpu = (cpu_seconds() - cpu).max(started.elapsed().as_secs_f64().min(0.01));
    n as f64 / cpu
}

async fn unsigned(server: &TestServer, op: &str, body: Value) -> Value {
    let response = server
        .call_bytes(op, serde_json::to_vec(&body).unwrap(), None)
        .await;
    assert_eq!(response.status, 200, "{op}: {}", response.body);
    response.json()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let ops = env_usize("COGNITOD_BENCH_OPS", 300);
    let concurrency = env_usize("COGNITOD_BENCH_CONCURRENCY", 4);
    let server = Arc::new(TestServer::start().await);
    let pool = server
        .call("CreateUserPool", &json!({"PoolName": "bench"}))
        .await
        .json()["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client = server
        .call(
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool, "ClientName": "bench", "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await
        .json()["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let users: Vec<String> = (0..concurrency).map(|i| format!("user{i}")).collect();
    for user in &users {
        server
            .call(
                "AdminCreateUser",
                &json!({"UserPoolId": pool, "Username": user, "MessageAction": "SUPPRESS"}),
            )
            .await;
        server
            .call(
                "AdminSetUserPassword",
                &json!({"UserPoolId": pool, "Username": user, "Password": PASSWORD, "Permanent": true}),
            )
            .await;
    }
    let sign_in = |server: Arc<TestServer>, client: String, user: String| async move {
        unsigned(
            &server,
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}}),
        )
        .await["AuthenticationResult"]
            .clone()
    };
    let first = sign_in(server.clone(), client.clone(), users[0].clone()).await;
    let refresh_token = first["RefreshToken"].as_str().unwrap().to_string();
    let access_token = first["AccessToken"].as_str().unwrap().to_string();

    println!("cognitod sign-in benchmark: SQLite, concurrency {concurrency}");
    let mut reports = Vec::new();
    {
        let (server, client, users) = (server.clone(), client.clone(), users.clone());
        reports.push(
            scenario("password_login", ops / 3, concurrency, move |i| {
                let login = sign_in(
                    server.clone(),
                    client.clone(),
                    users[i % users.len()].clone(),
                );
                async move {
                    assert!(login.await["AccessToken"].is_string());
                }
            })
            .await,
        );
    }
    {
        let (server, client, users, pool) =
            (server.clone(), client.clone(), users.clone(), pool.clone());
        reports.push(
            scenario("srp_login", ops, concurrency, move |i| {
                let (server, client, pool) = (server.clone(), client.clone(), pool.clone());
                let user = users[i % users.len()].clone();
                async move {
                    let srp = SrpClient::new(User::new(&pool, &user, PASSWORD), &client, None);
                    let started = unsigned(
                        &server,
                        "InitiateAuth",
                        json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH",
                               "AuthParameters": {"USERNAME": user,
                                                  "SRP_A": srp.get_auth_parameters().a}}),
                    )
                    .await;
                    let p = &started["ChallengeParameters"];
                    let s = |k: &str| p[k].as_str().unwrap().to_string();
                    let proof = srp
                        .verify(
                            &s("SECRET_BLOCK"),
                            &s("USER_ID_FOR_SRP"),
                            &s("SALT"),
                            &s("SRP_B"),
                        )
                        .unwrap();
                    let done = unsigned(
                        &server,
                        "RespondToAuthChallenge",
                        json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER",
                               "Session": started["Session"],
                               "ChallengeResponses": {
                                   "USERNAME": s("USER_ID_FOR_SRP"),
                                   "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"),
                                   "TIMESTAMP": proof.timestamp,
                                   "PASSWORD_CLAIM_SIGNATURE": proof.password_claim_signature}}),
                    )
                    .await;
                    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
                }
            })
            .await,
        );
    }
    {
        let (server, client, token) = (server.clone(), client.clone(), refresh_token.clone());
        reports.push(
            scenario("refresh", ops * 2, concurrency, move |_| {
                let (server, client, token) = (server.clone(), client.clone(), token.clone());
                async move {
                    unsigned(
                        &server,
                        "InitiateAuth",
                        json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                               "AuthParameters": {"REFRESH_TOKEN": token}}),
                    )
                    .await;
                }
            })
            .await,
        );
    }
    {
        let (server, token) = (server.clone(), access_token.clone());
        reports.push(
            scenario("get_user", ops * 10, concurrency, move |_| {
                let (server, token) = (server.clone(), token.clone());
                async move {
                    unsigned(&server, "GetUser", json!({"AccessToken": token})).await;
                }
            })
            .await,
        );
    }

    // The ceilings: the primitive each scenario cannot beat, per CPU-second.
    let key = cognitod_crypto::jwt::RsaSigningKey::generate("bench").unwrap();
    let claims =
        json!({"sub": "x", "token_use": "access", "scope": "aws.cognito.signin.user.admin"});
    let token_pair = ceiling(200, || {
        key.sign(&claims);
        key.sign(&claims);
    });
    let signed = key.sign(&claims);
    let jwks = [key.public_jwk()];
    let verify = ceiling(2000, || {
        cognitod_crypto::jwt::verify(&signed, &jwks).unwrap();
    });
    let hash = cognitod_crypto::password::hash_password(PASSWORD);
    let argon2 = ceiling(20, || {
        assert!(cognitod_crypto::password::verify_password(PASSWORD, &hash));
    });
    let salt = cognitod_crypto::srp::random_salt();
    let v = cognitod_crypto::srp::verifier("pool", "user", PASSWORD, &salt);
    let a = cognitod_crypto::srp::public_b(&v, &cognitod_crypto::srp::random_private());
    let srp_step = ceiling(50, || {
        let b = cognitod_crypto::srp::random_private();
        let b_pub = cognitod_crypto::srp::public_b(&v, &b);
        cognitod_crypto::srp::session_key(&a, &b_pub, &b, &v).unwrap();
    });
    let bound = |name: &str| match name {
        "password_login" => (
            "argon2id verify + token pair",
            1.0 / (1.0 / argon2 + 1.0 / token_pair),
        ),
        "srp_login" => (
            "SRP server step + token pair",
            1.0 / (1.0 / srp_step + 1.0 / token_pair),
        ),
        "refresh" => ("token pair (2 RS256 signs)", token_pair),
        _ => ("RS256 verify", verify),
    };
    println!();
    println!(
        "ceilings per CPU-second: token pair {token_pair:.0}, argon2id verify {argon2:.1}, \
         SRP server step {srp_step:.0}, RS256 verify {verify:.0}"
    );
    for report in &reports {
        let (what, limit) = bound(report.name);
        println!(
            "{:<16} {:>8.1} per CPU-second = {:>5.1}% of its ceiling ({what}: {limit:.1})",
            report.name,
            report.per_cpu_second,
            100.0 * report.per_cpu_second / limit
        );
    }
}
