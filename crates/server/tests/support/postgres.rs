//! A fresh PostgreSQL database per test, on the server named by `COGNITOD_TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`), so tests run in parallel and repeat.

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use sqlx::Connection;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The URL of the test server's admin database, or `None` (after saying why the caller is
/// skipped) when `COGNITOD_TEST_DATABASE_URL` is unset and nothing listens on 5432.
pub fn admin_url_or_skip(test: &str) -> Option<String> {
    if let Ok(url) = std::env::var("COGNITOD_TEST_DATABASE_URL") {
        return Some(url);
    }
    let default: SocketAddr = "127.0.0.1:5432".parse().unwrap();
    if TcpStream::connect_timeout(&default, Duration::from_secs(1)).is_ok() {
        return Some(DEFAULT_URL.to_string());
    }
    eprintln!(
        "SKIPPED {test}: PostgreSQL is not available (COGNITOD_TEST_DATABASE_URL is unset and \
         nothing listens on 127.0.0.1:5432)"
    );
    None
}

/// An empty database of its own, dropped by [`Database::drop`].
pub struct Database {
    pub url: String,
    admin_url: String,
    name: String,
}

impl Database {
    pub async fn create(admin_url: &str, purpose: &str) -> Database {
        let name = format!("cognitod_{purpose}_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connecting to the test PostgreSQL server");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("creating a test database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Database {
            url: format!("{base}/{name}"),
            admin_url: admin_url.to_string(),
            name,
        }
    }

    /// Waits until no session is connected to the database. Once its servers are killed, that
    /// is when every statement they sent before dying has committed or rolled back: a COMMIT
    /// already sent still completes (and becomes visible) after the client is gone, possibly
    /// only once a slow WAL flush ends.
    pub async fn wait_until_unused(&self) {
        let mut conn = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .expect("connecting to the test PostgreSQL server");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let sessions: i64 =
                sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
                    .bind(&self.name)
                    .fetch_one(&mut conn)
                    .await
                    .expect("reading pg_stat_activity");
            if sessions == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{sessions} sessions of killed servers still on {}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Drops the database (the nodes using it must be gone); a failure only leaves it behind.
    pub async fn drop(self) {
        let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await else {
            return;
        };
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = sqlx::query(&statement).execute(&mut conn).await;
    }
}
