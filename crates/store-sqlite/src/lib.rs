//! The embedded default store: SQLite in WAL mode with `synchronous = FULL`, so a write the
//! client was told succeeded survives a crash. SQLite has one writer at a time: writes go
//! through a one-connection pool (they queue instead of failing with SQLITE_BUSY), reads
//! through a set of connections of their own ([`readers`]).

mod readers;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use cognitod_store::{StoreError, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Executor, SqlitePool};

use crate::readers::Readers;

/// Migrations, in order; each runs once, in a transaction.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_initial.sql")),
    (2, include_str!("../migrations/0002_auth.sql")),
    (3, include_str!("../migrations/0003_user_version.sql")),
];

pub struct SqliteStore {
    writer: SqlitePool,
    readers: Readers,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and migrates it.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::connect(options, 4).await
    }

    /// A private in-memory database, for tests.
    pub async fn open_in_memory() -> StoreResult<Self> {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!(
            "file:cognitod-{}-{n}?mode=memory&cache=shared",
            std::process::id()
        );
        let options = SqliteConnectOptions::from_str(&name)
            .map_err(backend)?
            .shared_cache(true)
            .busy_timeout(Duration::from_secs(10));
        Self::connect(options, 1).await
    }

    async fn connect(options: SqliteConnectOptions, readers: usize) -> StoreResult<Self> {
        // A local connection cannot go stale: skip sqlx's ping to the connection's worker
        // thread before every query.
        let writer = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        migrate(&writer).await?;
        let readers = Readers::open(&options, readers).await?;
        Ok(Self { writer, readers })
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    async fn reader(&self) -> StoreResult<tokio::sync::MutexGuard<'_, sqlx::SqliteConnection>> {
        Ok(self.readers.get().await)
    }
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

async fn migrate(pool: &SqlitePool) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(backend)?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .await
    .map_err(backend)?;
    for (version, sql) in MIGRATIONS {
        let mut tx = conn.begin().await.map_err(backend)?;
        let done = sqlx::query("SELECT 1 FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        if done.is_none() {
            tx.execute(*sql).await.map_err(backend)?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, strftime('%s','now'))")
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
    }
    Ok(())
}

cognitod_store::sql_store!(SqliteStore, sqlx::Sqlite);
cognitod_store::sql_auth_store!(SqliteStore, sqlx::Sqlite);
