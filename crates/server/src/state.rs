//! Opening the store and assembling the services a server or admin command needs.

use std::sync::Arc;

use anyhow::Context;
use cognitod_crypto::MasterKey;
use cognitod_store::Store;
use cognitod_store_postgres::PostgresStore;
use cognitod_store_sqlite::SqliteStore;

use crate::config::StoreArgs;
use crate::secrets;

/// The store and master key, as both `serve` and the admin subcommands use them.
pub struct Backend {
    pub store: Arc<dyn Store>,
    pub master_key: Arc<MasterKey>,
    pub description: String,
}

pub async fn open_backend(args: &StoreArgs) -> anyhow::Result<Backend> {
    secrets::ensure_data_dir(&args.data_dir)?;
    let master_key = Arc::new(secrets::load_master_key(&args.data_dir)?);
    let (store, description): (Arc<dyn Store>, String) = match &args.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let store = PostgresStore::connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            (Arc::new(store), "PostgreSQL".to_string())
        }
        Some(url) => anyhow::bail!("unsupported --database-url {url:?}: expected postgres://..."),
        None => {
            let path = args.data_dir.join("cognitod.db");
            let store = SqliteStore::open(&path)
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            (Arc::new(store), format!("SQLite at {}", path.display()))
        }
    };
    Ok(Backend {
        store,
        master_key,
        description,
    })
}
