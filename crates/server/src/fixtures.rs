//! `cognitod fixtures users`: many users inserted straight into the store, for load tests and
//! demos. AdminCreateUser hashes every password with argon2id (about 18 ms of CPU each), so a
//! million users through the API take hours; here they take one hash in all.
//!
//! Every user is CONFIRMED and enabled, with a random (v4 UUID) `sub` like the API's, the
//! email `<username>@example.com` (so prefix filters select known users) and
//! `email_verified = true`; the email is a sign-in alias when the pool has email aliases.
//! All users share one argon2id hash of `--password` (a PHC string with one random salt),
//! computed once, so they sign in with USER_PASSWORD_AUTH like users created through the
//! API. They have no SRP verifier (each would cost a 3072-bit modexp bound to the username),
//! so USER_SRP_AUTH fails for them until they set a password. One salt shared by many users
//! would be a flaw for real accounts; for fixtures it is what makes a million of them cheap.
//! Passwordless RESET_REQUIRED users would be as cheap, but could not sign in at all.
//!
//! It works on the same data dir or database as `serve`, also while the server runs: SQLite
//! is in WAL mode, so the server keeps reading while a batch commits, and its writes wait for
//! the batch (busy timeout) instead of failing.

use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use cognitod_crypto::{Clock, SystemClock};
use cognitod_model::idp::{AliasAttributeType, UserPoolType};
use cognitod_store::{AliasKey, UserRecord};

use crate::config::StoreArgs;
use crate::state::open_backend;

#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Insert users in bulk into an existing pool: `<prefix><number>`, numbered from
    /// `--start`, zero-padded to 7 digits.
    Users(UsersArgs),
}

#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The user pool id.
    #[arg(long)]
    pub pool: String,
    /// How many users to insert.
    #[arg(long)]
    pub count: u64,
    /// Username prefix.
    #[arg(long, default_value = "user")]
    pub prefix: String,
    /// First user number.
    #[arg(long, default_value_t = 0)]
    pub start: u64,
    /// The password every user signs in with.
    #[arg(long, default_value = "Bench-Password-1")]
    pub password: String,
    /// Users per transaction.
    #[arg(long, default_value_t = 5_000)]
    pub batch: usize,
}

pub async fn run(command: FixturesCommand) -> anyhow::Result<()> {
    match command {
        FixturesCommand::Users(args) => users(args).await,
    }
}

/// The username of fixture user `n`.
pub fn username(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:07}")
}

async fn users(args: UsersArgs) -> anyhow::Result<()> {
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let backend = open_backend(&args.store).await?;
    let store = &backend.store;
    let pool = store
        .get_pool(&args.pool)
        .await?
        .with_context(|| format!("no user pool {}", args.pool))?;
    let config: UserPoolType =
        serde_json::from_value(pool.config).context("reading the pool's configuration")?;
    if config
        .username_attributes
        .as_ref()
        .is_some_and(|a| !a.is_empty())
    {
        bail!(
            "pool {} signs in with email or phone as the username; fixtures need a pool with plain usernames",
            args.pool
        );
    }
    let case_insensitive = config
        .username_configuration
        .as_ref()
        .is_some_and(|c| !c.case_sensitive);
    let email_alias = config
        .alias_attributes
        .iter()
        .flatten()
        .any(|a| *a == AliasAttributeType::Email);

    let password = args.password.clone();
    let hash =
        tokio::task::spawn_blocking(move || cognitod_crypto::password::hash_password(&password))
            .await?;
    let now = SystemClock.now_millis();
    let started = Instant::now();
    let end = args.start + args.count;
    let mut next = args.start;
    while next < end {
        let last = (next + args.batch as u64).min(end);
        let batch: Vec<(UserRecord, Vec<AliasKey>)> = (next..last)
            .map(|n| {
                let username = username(&args.prefix, n);
                let username_key = if case_insensitive {
                    username.to_lowercase()
                } else {
                    username.clone()
                };
                let email = format!("{username}@example.com");
                let sub = cognitod_crypto::sub();
                let aliases = if email_alias {
                    vec![AliasKey {
                        kind: "email".into(),
                        key: email.to_lowercase(),
                    }]
                } else {
                    Vec::new()
                };
                let record = UserRecord {
                    pool_id: args.pool.clone(),
                    username,
                    username_key,
                    sub: sub.clone(),
                    status: "CONFIRMED".into(),
                    enabled: true,
                    attributes: vec![
                        ("sub".into(), sub),
                        ("email".into(), email),
                        ("email_verified".into(), "true".into()),
                    ],
                    password_hash: Some(hash.clone()),
                    credentials: serde_json::json!({}),
                    created_at: now,
                    updated_at: now,
                    version: 0,
                };
                (record, aliases)
            })
            .collect();
        store
            .create_users_bulk(&batch)
            .await
            .with_context(|| format!("inserting users {next}..{last}"))?;
        next = last;
        let done = next - args.start;
        if done % 100_000 < args.batch as u64 || next == end {
            eprintln!("{done} users in {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    println!(
        "inserted {} users into {} in {:.1} s ({} .. {})",
        args.count,
        args.pool,
        started.elapsed().as_secs_f64(),
        username(&args.prefix, args.start),
        username(&args.prefix, end.saturating_sub(1)),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_sort_in_number_order() {
        assert_eq!(username("user", 42), "user0000042");
        assert!(username("user", 9) < username("user", 10));
    }
}
