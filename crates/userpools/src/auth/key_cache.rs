//! The parsed signing keys of each pool, cached per node for a bounded time (rotation by
//! another node shows within it). A leaf: the service type holds one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cognitod_crypto::jwt::RsaSigningKey;

/// How long a node trusts its cached keys before re-reading them (rotation by another node
/// shows within this bound).
const CACHE_MILLIS: i64 = 30_000;

/// A pool's keys, parsed.
pub(crate) struct PoolKeys {
    pub id: RsaSigningKey,
    pub access: RsaSigningKey,
    /// Every published public key: active, then next, then retired.
    pub jwks: Vec<serde_json::Value>,
}

#[derive(Default)]
pub(crate) struct KeyCache {
    entries: Mutex<HashMap<String, (Arc<PoolKeys>, i64)>>,
    /// Held while a pool's first keys are generated.
    pub(crate) generating: tokio::sync::Mutex<()>,
}

impl KeyCache {
    pub(crate) fn get(&self, pool_id: &str, now: i64) -> Option<Arc<PoolKeys>> {
        let entries = self.entries.lock().expect("key cache lock");
        entries
            .get(pool_id)
            .filter(|(_, at)| now - at < CACHE_MILLIS)
            .map(|(keys, _)| keys.clone())
    }

    pub(crate) fn put(&self, pool_id: &str, keys: Arc<PoolKeys>, now: i64) {
        let mut entries = self.entries.lock().expect("key cache lock");
        entries.insert(pool_id.to_string(), (keys, now));
    }

    pub(crate) fn forget(&self, pool_id: &str) {
        self.entries.lock().expect("key cache lock").remove(pool_id);
    }
}
