//! The store conformance suite on SQLite, each test on its own database file.

use std::sync::Arc;

use cognitod_store::Store;
use cognitod_store_sqlite::SqliteStore;

async fn fresh() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("test.db"))
        .await
        .unwrap();
    // Keep the directory for the whole test process; it is removed with the temp dir.
    std::mem::forget(dir);
    Arc::new(store)
}

cognitod_store::conformance_tests!(fresh());
