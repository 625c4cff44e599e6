//! Ceilings: the per-core cost of the primitives that bound every sign-in scenario, measured
//! through this crate's own functions (the code the server runs), single-threaded.
//!
//!   cargo bench -p cognitod-crypto --bench ceilings
//!   CEILINGS_QUICK=1 cargo bench -p cognitod-crypto --bench ceilings   # ~0.2 s per row
//!
//! Each primitive runs for at least 2 s (0.2 s with `CEILINGS_QUICK=1`) after a warm-up, split
//! into 3 rounds; the row is the median round. Time is the thread's CPU time (from
//! `/proc/thread-self/schedstat`, nanosecond resolution), so the figures are operations per
//! CPU-second of one core even when other processes share the machine; where that file is
//! missing, wall-clock time from `Instant` is used instead and the header says so.
//!
//! Derived rows combine measured ones the way the server combines the primitives:
//! `password_login_ceiling` = 1 / (argon2id verify + token pair),
//! `srp_login_ceiling` = 1 / (SRP server step + token pair),
//! `refresh_ceiling` = token pair, `get_user_ceiling` = JWT verify.
//!
//! Output: a table, then one JSON line per row:
//! `{"bench":"ceilings","name":..,"micros_per_op":..,"per_core_per_s":..}`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cognitod_crypto::jwt::{self, RsaSigningKey};
use cognitod_crypto::{password, srp};
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U3072};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "Correct-Horse-1";
const POOL_ID: &str = "us-east-1_Ab12Cd34E";
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E";
const CLIENT_ID: &str = "4p8qk1v2n7d3s5t9r6m0c8h1jb";
const ROUNDS: u32 = 3;

/// N for the reference modexp; `main` checks that g^x with it reproduces `srp::verifier`.
const N: Odd<U3072> = Odd::<U3072>::from_be_hex(cognitod_crypto::srp::N_HEX);

/// This thread's CPU time, or `None` where the kernel does not expose it.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

struct Row {
    name: &'static str,
    what: String,
    micros: f64,
}

impl Row {
    fn per_second(&self) -> f64 {
        1e6 / self.micros
    }
}

struct Bench {
    /// Minimum measured time per primitive (split over `ROUNDS` rounds).
    target: Duration,
    cpu_clock: bool,
    rows: Vec<Row>,
}

impl Bench {
    /// Runs `op` until at least `min` has passed; returns (operations, seconds of the clock).
    fn round(&self, min: Duration, op: &mut impl FnMut()) -> (u64, f64) {
        let cpu = thread_cpu();
        let started = Instant::now();
        let mut n = 0u64;
        while n == 0 || started.elapsed() < min {
            op();
            n += 1;
        }
        let wall = started.elapsed();
        let spent = match (self.cpu_clock, cpu, thread_cpu()) {
            (true, Some(before), Some(after)) => after.saturating_sub(before),
            _ => wall,
        };
        (n, spent.as_secs_f64().max(1e-9))
    }

    fn measure(&mut self, name: &'static str, what: &str, mut op: impl FnMut()) {
        self.round(self.target / 10, &mut op); // warm-up: caches, allocator, lazy statics
        let mut micros: Vec<f64> = (0..ROUNDS)
            .map(|_| {
                let (n, secs) = self.round(self.target / ROUNDS, &mut op);
                secs * 1e6 / n as f64
            })
            .collect();
        micros.sort_by(f64::total_cmp);
        let row = Row {
            name,
            what: what.to_owned(),
            micros: micros[micros.len() / 2],
        };
        eprintln!("  {name}: {:.1} µs/op", row.micros);
        self.rows.push(row);
    }

    fn micros(&self, name: &str) -> f64 {
        self.rows
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.micros)
            .unwrap_or_else(|| panic!("{name} is measured before it is derived from"))
    }

    /// A row whose cost is the sum of measured rows (one operation uses each once).
    fn derive(&mut self, name: &'static str, what: &str, parts: &[&str]) {
        let micros = parts.iter().map(|p| self.micros(p)).sum();
        self.rows.push(Row {
            name,
            what: what.to_owned(),
            micros,
        });
    }
}

/// Claims shaped like the ID token the server mints for a user with an email (tokens.rs).
fn id_claims() -> Value {
    json!({
        "sub": "0d5a7f7e-2a4b-4f0e-9b1c-3f1e2d4c5b6a",
        "email_verified": true,
        "iss": ISSUER,
        "cognito:username": "alice",
        "origin_jti": "6f1c2b9e-8d4a-4c3b-a2e1-9f8d7c6b5a40",
        "aud": CLIENT_ID,
        "event_id": "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
        "token_use": "id",
        "auth_time": 1_700_000_000,
        "exp": 1_700_003_600,
        "iat": 1_700_000_000,
        "jti": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        "email": "alice@example.com",
    })
}

/// Claims shaped like the access token the server mints (tokens.rs), without groups.
fn access_claims() -> Value {
    json!({
        "sub": "0d5a7f7e-2a4b-4f0e-9b1c-3f1e2d4c5b6a",
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": "6f1c2b9e-8d4a-4c3b-a2e1-9f8d7c6b5a40",
        "event_id": "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": 1_700_000_000,
        "exp": 1_700_003_600,
        "iat": 1_700_000_000,
        "jti": "3c2b1a0f-9e8d-4c7b-b6a5-4f3e2d1c0b9a",
        "username": "alice",
    })
}

type Monty = FixedMontyForm<{ U3072::LIMBS }>;

/// x = SHA256(salt || SHA256(pool || user || ":" || password)), as `srp::verifier` computes it
/// for a salt whose padHex adds no byte (the first byte of `srp::random_salt` is 0x01..=0x7f).
fn srp_x(pool: &str, user: &str, salt: &[u8]) -> U256 {
    let inner = Sha256::new()
        .chain_update(pool)
        .chain_update(user)
        .chain_update(":")
        .chain_update(PASSWORD)
        .finalize();
    U256::from_be_slice(
        &Sha256::new()
            .chain_update(salt)
            .chain_update(inner)
            .finalize(),
    )
}

fn print_rows(bench: &Bench, quick: bool) {
    let clock = if bench.cpu_clock {
        "thread CPU time"
    } else {
        "wall clock (thread CPU time unavailable)"
    };
    println!();
    println!(
        "ceilings: single thread, {clock}, median of {ROUNDS} rounds, >= {:.1} s per primitive{}",
        bench.target.as_secs_f64(),
        if quick { " (CEILINGS_QUICK)" } else { "" }
    );
    println!();
    println!(
        "| {:<24} | {:>12} | {:>14} | {:<58} |",
        "primitive", "µs/op", "ops/s per core", "what"
    );
    println!("|{:-<26}|{:->14}|{:->16}|{:-<60}|", "", ":", ":", "");
    for row in &bench.rows {
        println!(
            "| {:<24} | {:>12.1} | {:>14.1} | {:<58} |",
            row.name,
            row.micros,
            row.per_second(),
            row.what
        );
    }
    println!();
    for row in &bench.rows {
        println!(
            r#"{{"bench":"ceilings","name":{},"micros_per_op":{:.3},"per_core_per_s":{:.3}}}"#,
            Value::from(row.name),
            row.micros,
            row.per_second()
        );
    }
}

fn main() {
    let quick = std::env::var("CEILINGS_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let mut bench = Bench {
        target: Duration::from_millis(if quick { 200 } else { 2000 }),
        cpu_clock: thread_cpu().is_some(),
        rows: Vec::new(),
    };

    // Tokens: separate ID and access keys, as each pool has; the JWKS holds both.
    let id_key = RsaSigningKey::generate("id-key").unwrap();
    let access_key = RsaSigningKey::generate("access-key").unwrap();
    let (id, access) = (id_claims(), access_claims());
    let access_token = access_key.sign(&access);
    let jwks = [id_key.public_jwk(), access_key.public_jwk()];
    assert_eq!(
        jwt::verify(&access_token, &jwks).unwrap(),
        access.as_object().unwrap().clone()
    );
    let id_len = id_key.sign(&id).len();
    eprintln!(
        "ID token {id_len} bytes ({}-byte payload), access token {} bytes ({}-byte payload)",
        id.to_string().len(),
        access_token.len(),
        access.to_string().len()
    );

    // SRP: a stored verifier, and a client's A (any element of the group does).
    let salt = srp::random_salt();
    let verifier = srp::verifier(POOL_ID, "alice", PASSWORD, &salt);
    let a = srp::parse_public_a(&srp::to_hex(&srp::public_b(
        &verifier,
        &srp::random_private(),
    )))
    .unwrap();
    let b = srp::random_private();
    let b_pub = srp::public_b(&verifier, &b);

    // Reference modexp: same modulus and exponent size, straight on crypto-bigint.
    let params = FixedMontyParams::new_vartime(N);
    let g = Monty::new(&U3072::from_u8(2), &params);
    let x = srp_x(POOL_ID, "alice", &salt);
    let gx = g.pow_bounded_exp(&x, 256).retrieve().to_be_bytes();
    let first = gx.iter().position(|&b| b != 0).unwrap();
    assert_eq!(
        gx[first..],
        verifier[..],
        "reference modexp must match srp::verifier"
    );
    let base = Monty::new(&U3072::from_be_slice(&gx), &params);

    let hash = password::hash_password(PASSWORD);
    assert!(password::verify_password(PASSWORD, &hash));

    eprintln!(
        "measuring ({:.1} s per primitive)...",
        bench.target.as_secs_f64()
    );
    bench.measure(
        "rs256_sign",
        "jwt RsaSigningKey::sign, ID-token claims, cached key",
        || {
            black_box(id_key.sign(black_box(&id)));
        },
    );
    bench.measure(
        "token_pair",
        "one ID + one access token sign (2 keys)",
        || {
            black_box(id_key.sign(black_box(&id)));
            black_box(access_key.sign(black_box(&access)));
        },
    );
    bench.measure(
        "jwt_verify",
        "jwt::verify of an access token, 2-key JWKS",
        || {
            black_box(jwt::verify(black_box(&access_token), &jwks).unwrap());
        },
    );
    bench.measure(
        "srp_public_b",
        "srp::public_b: B = k*v + g^b (one 256-bit-exponent modexp)",
        || {
            black_box(srp::public_b(&verifier, black_box(&b)));
        },
    );
    bench.measure(
        "srp_session_key",
        "srp::session_key: S = (A*v^u)^b, HKDF (two modexps)",
        || {
            black_box(srp::session_key(&a, &b_pub, black_box(&b), &verifier).unwrap());
        },
    );
    bench.measure(
        "srp_server_step",
        "fresh b + public_b + session_key (one SRP login)",
        || {
            let b = srp::random_private();
            let b_pub = srp::public_b(&verifier, &b);
            black_box(srp::session_key(&a, &b_pub, &b, &verifier).unwrap());
        },
    );
    bench.measure(
        "modexp_3072_e256",
        "reference: crypto-bigint 3072-bit modexp, 256-bit exponent",
        || {
            black_box(black_box(base).pow_bounded_exp(black_box(&x), 256));
        },
    );
    bench.measure(
        "srp_verifier",
        "srp::verifier: v = g^x (sign-up, password change)",
        || {
            black_box(srp::verifier(POOL_ID, "alice", black_box(PASSWORD), &salt));
        },
    );
    bench.measure(
        "argon2id_hash",
        "password::hash_password (m=19456 KiB, t=2, p=1)",
        || {
            black_box(password::hash_password(black_box(PASSWORD)));
        },
    );
    bench.measure(
        "argon2id_verify",
        "password::verify_password, PHC string, same cost",
        || {
            assert!(password::verify_password(black_box(PASSWORD), &hash));
        },
    );

    bench.derive(
        "password_login_ceiling",
        "1 / (argon2id verify + token pair)",
        &["argon2id_verify", "token_pair"],
    );
    bench.derive(
        "srp_login_ceiling",
        "1 / (SRP server step + token pair)",
        &["srp_server_step", "token_pair"],
    );
    bench.derive("refresh_ceiling", "token pair", &["token_pair"]);
    bench.derive("get_user_ceiling", "JWT verify", &["jwt_verify"]);

    print_rows(&bench, quick);
}
