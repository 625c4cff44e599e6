//! Rotating a pool's token-signing keys from the command line (`cognitod keys rotate`),
//! against the same store a running server uses. Servers pick the new keys up within their
//! key-cache bound; tokens signed with the old keys keep verifying while they can be valid.

use std::sync::Arc;

use cognitod_crypto::SystemClock;
use cognitod_messaging::Messenger;
use cognitod_userpools::{Settings, UserPools};

use crate::serve::ACCOUNT_ID;
use crate::state::Backend;

/// Rotates the pool's ID and access keys; returns the new kids.
pub async fn rotate(backend: &Backend, pool_id: &str) -> anyhow::Result<Vec<String>> {
    let userpools = UserPools::new(
        backend.store.clone(),
        Arc::new(SystemClock),
        backend.master_key.clone(),
        Arc::new(Messenger::new(
            backend.store.clone(),
            backend.master_key.clone(),
        )),
        // Rotation mints no tokens, so the public URL and region play no part.
        Settings {
            region: String::new(),
            account_id: ACCOUNT_ID.to_string(),
            public_url: String::new(),
        },
    );
    userpools
        .rotate_keys(pool_id)
        .await
        .map_err(|err| anyhow::anyhow!("{}", err.message))
}
