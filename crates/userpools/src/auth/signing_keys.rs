//! Each pool's token-signing keys: one RSA key for ID tokens and one for access tokens (so
//! their kids differ, as Cognito's do), created on first use, sealed with the master key in
//! the store, and cached parsed. The JWKS publishes the next keys ahead of their turn, so a
//! verifier that caches the JWKS already holds a key when it starts signing; rotation promotes
//! them, retires the active keys but keeps publishing those until every token they signed has
//! expired, and publishes a fresh next pair. No verifier breaks.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognitod_crypto::jwt::RsaSigningKey;
use cognitod_model::Error;
use cognitod_store::SigningKeyRecord;

use crate::auth::key_cache::PoolKeys;
use crate::service::UserPools;
use crate::shared::errors;

/// Tokens live at most a day, so a retired key is published one more day.
const RETIRED_PUBLISH_MILLIS: i64 = 24 * 60 * 60 * 1000;

fn aad(pool_id: &str, kid: &str) -> Vec<u8> {
    format!("signing-key:{pool_id}:{kid}").into_bytes()
}

/// The pool's keys, created if it has none yet.
pub(crate) async fn pool_keys(svc: &UserPools, pool_id: &str) -> Result<Arc<PoolKeys>, Error> {
    let now = svc.now();
    if let Some(keys) = svc.keys.get(pool_id, now) {
        return Ok(keys);
    }
    let mut records = list(svc, pool_id).await?;
    // One generation at a time on this node: the requests that arrive together at a new pool
    // wait for its keys instead of each generating four RSA keys.
    let _generating = if records.iter().any(|r| r.state == "active") {
        None
    } else {
        let guard = svc.keys.generating.lock().await;
        records = list(svc, pool_id).await?;
        Some(guard)
    };
    if !records.iter().any(|r| r.state == "active") {
        let fresh = generate(svc, pool_id, now, &["active", "next"]).await?;
        // Another node may have won the race: then its keys are the ones to use.
        svc.store
            .create_initial_signing_keys(&fresh)
            .await
            .map_err(errors::store)?;
        records = list(svc, pool_id).await?;
    }
    let keys = Arc::new(parse(svc, pool_id, &records, now)?);
    svc.keys.put(pool_id, keys.clone(), now);
    Ok(keys)
}

/// The pool's keys if this node holds them fresh; a pool with cached keys exists (or was
/// deleted within the cache bound, when its users are gone with it).
pub(crate) fn cached_pool_keys(svc: &UserPools, pool_id: &str) -> Option<Arc<PoolKeys>> {
    svc.keys.get(pool_id, svc.now())
}

/// The JWKS document of a pool (`{"keys": [...]}`), or None when the pool does not exist.
pub(crate) async fn jwks(
    svc: &UserPools,
    pool_id: &str,
) -> Result<Option<serde_json::Value>, Error> {
    // Cached keys imply the pool (DeleteUserPool forgets them), as for access tokens.
    if let Some(keys) = cached_pool_keys(svc, pool_id) {
        return Ok(Some(serde_json::json!({ "keys": keys.jwks })));
    }
    if svc
        .store
        .get_pool(pool_id)
        .await
        .map_err(errors::store)?
        .is_none()
    {
        return Ok(None);
    }
    let keys = pool_keys(svc, pool_id).await?;
    Ok(Some(serde_json::json!({ "keys": keys.jwks })))
}

/// Promotes the pool's next keys to active and publishes a fresh next pair; the old active
/// keys stay published for a day. Returns the kids now active.
pub(crate) async fn rotate(svc: &UserPools, pool_id: &str) -> Result<Vec<String>, Error> {
    let now = svc.now();
    // The spare active pair is used only by a pool that has no next keys.
    let fresh = generate(svc, pool_id, now, &["active", "next"]).await?;
    svc.store
        .rotate_signing_keys(pool_id, &fresh, now + RETIRED_PUBLISH_MILLIS, now)
        .await
        .map_err(errors::store)?;
    svc.keys.forget(pool_id);
    let records = list(svc, pool_id).await?;
    Ok(records
        .into_iter()
        .filter(|r| r.state == "active")
        .map(|r| r.kid)
        .collect())
}

async fn list(svc: &UserPools, pool_id: &str) -> Result<Vec<SigningKeyRecord>, Error> {
    svc.store
        .list_signing_keys(pool_id)
        .await
        .map_err(errors::store)
}

/// New ID and access keys in each of `states` (RSA key generation runs off the async
/// threads).
async fn generate(
    svc: &UserPools,
    pool_id: &str,
    now: i64,
    states: &[&'static str],
) -> Result<Vec<SigningKeyRecord>, Error> {
    let wanted: Vec<(&'static str, &'static str)> = states
        .iter()
        .flat_map(|state| ["id", "access"].map(|token_use| (*state, token_use)))
        .collect();
    let keys = tokio::task::spawn_blocking(move || {
        wanted
            .into_iter()
            .map(|(state, token_use)| {
                RsaSigningKey::generate(&new_kid()).map(|key| (state, token_use, key))
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(errors::internal)?;
    keys.into_iter()
        .map(|generated| {
            let (state, token_use, key) = generated.map_err(errors::internal)?;
            Ok(SigningKeyRecord {
                pool_id: pool_id.to_string(),
                kid: key.kid().to_string(),
                token_use: token_use.to_string(),
                state: state.to_string(),
                sealed_private_key: svc
                    .master_key
                    .seal_to_string(&key.to_pkcs8(), &aad(pool_id, key.kid())),
                public_jwk: key.public_jwk(),
                created_at: now,
                publish_until: None,
            })
        })
        .collect()
}

/// Cognito's kids are 44-character base64 strings.
fn new_kid() -> String {
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&cognitod_crypto::srp::random_private());
    STANDARD.encode(bytes)
}

fn parse(
    svc: &UserPools,
    pool_id: &str,
    records: &[SigningKeyRecord],
    now: i64,
) -> Result<PoolKeys, Error> {
    let open = |token_use: &str| -> Result<RsaSigningKey, Error> {
        let record = records
            .iter()
            .rev()
            .find(|r| r.state == "active" && r.token_use == token_use)
            .ok_or_else(|| {
                errors::internal(format!("pool {pool_id} has no active {token_use} key"))
            })?;
        let der = svc
            .master_key
            .open_str(&record.sealed_private_key, &aad(pool_id, &record.kid))
            .map_err(errors::internal)?;
        RsaSigningKey::from_pkcs8(&record.kid, &der).map_err(errors::internal)
    };
    let id = open("id")?;
    let access = open("access")?;
    let mut published: Vec<&SigningKeyRecord> = records
        .iter()
        .filter(|r| r.state != "retired" || r.publish_until.is_some_and(|until| until > now))
        .collect();
    let rank = |state: &str| match state {
        "active" => 0,
        "next" => 1,
        _ => 2,
    };
    published.sort_by_key(|r| (rank(&r.state), std::cmp::Reverse(r.created_at)));
    Ok(PoolKeys {
        id,
        access,
        jwks: published.iter().map(|r| r.public_jwk.clone()).collect(),
    })
}
