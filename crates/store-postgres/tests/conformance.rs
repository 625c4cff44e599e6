//! The store conformance suite on PostgreSQL, each test on a fresh database.

use std::sync::Arc;

use cognitod_store::Store;
use cognitod_store_postgres::PostgresStore;
use sqlx::Connection;

async fn fresh() -> Arc<dyn Store> {
    let admin = std::env::var("COGNITOD_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let name = format!("cognitod_store_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin);
    Arc::new(
        PostgresStore::connect(&format!("{base}/{name}"))
            .await
            .unwrap(),
    )
}

cognitod_store::conformance_tests!(fresh());
