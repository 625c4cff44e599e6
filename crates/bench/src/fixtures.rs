//! The run's own pool, app client and users, created through the API (or, for the many
//! ListUsers users on cognitod, with `cognitod fixtures users`), and deleted afterwards.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::api::setup_call;
use crate::http::Conn;
use crate::sign::Signer;

/// How to create the ListUsers users fast on cognitod.
pub struct FixturesCli {
    pub binary: PathBuf,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

pub async fn create_pool(conn: &mut Conn, signer: &Signer, run_id: &str) -> anyhow::Result<String> {
    let reply = setup_call(
        conn,
        Some(signer),
        "CreateUserPool",
        &json!({"PoolName": format!("cognitod-bench-{run_id}")}),
    )
    .await?;
    reply["UserPool"]["Id"]
        .as_str()
        .map(str::to_string)
        .context("CreateUserPool answered no UserPool.Id")
}

pub async fn create_client(conn: &mut Conn, signer: &Signer, pool: &str) -> anyhow::Result<String> {
    let reply = setup_call(
        conn,
        Some(signer),
        "CreateUserPoolClient",
        &json!({"UserPoolId": pool, "ClientName": "bench", "ExplicitAuthFlows": [
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await?;
    reply["UserPoolClient"]["ClientId"]
        .as_str()
        .map(str::to_string)
        .context("CreateUserPoolClient answered no ClientId")
}

/// A confidential client allowed client_credentials for a resource server's scope:
/// (id, secret, scope).
pub async fn create_token_client(
    conn: &mut Conn,
    signer: &Signer,
    pool: &str,
) -> anyhow::Result<(String, String, String)> {
    setup_call(
        conn,
        Some(signer),
        "CreateResourceServer",
        &json!({"UserPoolId": pool, "Identifier": "bench", "Name": "bench",
                "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
    )
    .await?;
    let reply = setup_call(
        conn,
        Some(signer),
        "CreateUserPoolClient",
        &json!({"UserPoolId": pool, "ClientName": "bench-m2m", "GenerateSecret": true,
                "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthScopes": ["bench/read"]}),
    )
    .await?;
    let client = &reply["UserPoolClient"];
    Ok((
        client["ClientId"].as_str().unwrap_or_default().to_string(),
        client["ClientSecret"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        "bench/read".to_string(),
    ))
}

/// Users with a permanent password (and so an SRP verifier where the server keeps one),
/// one per connection: `bench-login-<i>`.
pub async fn create_login_users(
    conns: &mut [Conn],
    signer: &Signer,
    pool: &str,
    password: &str,
) -> anyhow::Result<Vec<String>> {
    let users: Vec<String> = (0..conns.len())
        .map(|i| format!("bench-login-{i}"))
        .collect();
    let mut tasks = Vec::new();
    for (conn, user) in conns.iter_mut().zip(&users) {
        tasks.push(async move {
            setup_call(
                conn,
                Some(signer),
                "AdminCreateUser",
                &json!({"UserPoolId": pool, "Username": user, "MessageAction": "SUPPRESS",
                        "UserAttributes": [{"Name": "email", "Value": format!("{user}@example.com")},
                                           {"Name": "email_verified", "Value": "true"}]}),
            )
            .await?;
            setup_call(
                conn,
                Some(signer),
                "AdminSetUserPassword",
                &json!({"UserPoolId": pool, "Username": user, "Password": password,
                        "Permanent": true}),
            )
            .await
        });
    }
    for result in futures::future::join_all(tasks).await {
        result?;
    }
    Ok(users)
}

fn progress(count: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(count);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta})",
        )
        .expect("template"),
    );
    bar
}

/// `count` users `<prefix><n:07>` with email `<username>@example.com` (verified), through
/// `cognitod fixtures users` when given, else AdminCreateUser over every connection.
pub async fn create_list_users(
    conns: &mut [Conn],
    signer: &Signer,
    pool: &str,
    prefix: &str,
    count: u64,
    cli: Option<&FixturesCli>,
    quiet: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    if let Some(cli) = cli {
        let mut command = tokio::process::Command::new(&cli.binary);
        command.args(["fixtures", "users", "--pool", pool, "--prefix", prefix]);
        command.args(["--count", &count.to_string()]);
        if let Some(dir) = &cli.data_dir {
            command.arg("--data-dir").arg(dir);
        }
        if let Some(url) = &cli.database_url {
            command.args(["--database-url", url]);
        }
        if quiet {
            command.stderr(std::process::Stdio::null());
        }
        command.stdout(std::process::Stdio::null());
        let status = command
            .status()
            .await
            .with_context(|| format!("running {}", cli.binary.display()))?;
        if !status.success() {
            bail!("{} fixtures users: {status}", cli.binary.display());
        }
    } else {
        let bar = progress(count, quiet);
        bar.set_message("AdminCreateUser");
        let next = std::sync::atomic::AtomicU64::new(0);
        let mut tasks = Vec::new();
        for conn in conns.iter_mut() {
            let (bar, next) = (&bar, &next);
            tasks.push(async move {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= count {
                        return anyhow::Ok(());
                    }
                    let user = format!("{prefix}{n:07}");
                    setup_call(
                        conn,
                        Some(signer),
                        "AdminCreateUser",
                        &json!({"UserPoolId": pool, "Username": user, "MessageAction": "SUPPRESS",
                                "UserAttributes": [
                                    {"Name": "email", "Value": format!("{user}@example.com")},
                                    {"Name": "email_verified", "Value": "true"}]}),
                    )
                    .await?;
                    bar.inc(1);
                }
            });
        }
        for result in futures::future::join_all(tasks).await {
            result?;
        }
        bar.finish_and_clear();
    }
    if !quiet {
        eprintln!(
            "created {count} ListUsers users in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

pub async fn delete_pool(conn: &mut Conn, signer: &Signer, pool: &str) -> anyhow::Result<()> {
    setup_call(
        conn,
        Some(signer),
        "DeleteUserPool",
        &json!({"UserPoolId": pool}),
    )
    .await
    .map(drop)
}
