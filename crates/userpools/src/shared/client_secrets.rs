//! App client secrets at rest: sealed with the master key in their own records, bound to
//! their client. Read by sign-in (SECRET_HASH) and by the client operations.

use cognitod_model::Error;
use cognitod_store::ClientSecretRecord;

use crate::service::UserPools;
use crate::shared::errors;

/// Most secrets one client may hold at a time.
pub(crate) const MAX_SECRETS: usize = 2;

/// Binds a sealed secret to its client, so it cannot be moved to another one.
fn secret_aad(client_id: &str) -> Vec<u8> {
    format!("client-secret:{client_id}").into_bytes()
}

pub(crate) fn open(svc: &UserPools, record: &ClientSecretRecord) -> Result<String, Error> {
    let plain = svc
        .master_key
        .open_str(&record.sealed_secret, &secret_aad(&record.client_id))
        .map_err(errors::internal)?;
    String::from_utf8(plain).map_err(errors::internal)
}

pub(crate) async fn list(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
) -> Result<Vec<ClientSecretRecord>, Error> {
    svc.store
        .list_client_secrets(pool_id, client_id)
        .await
        .map_err(errors::store)
}

/// Seals and stores a secret created at `now` (kept distinct from the client's other ids).
pub(crate) async fn store(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
    secret: &str,
    existing: &[ClientSecretRecord],
) -> Result<ClientSecretRecord, Error> {
    let mut created_at = svc.now();
    // Secret ids carry the creation time: two in the same millisecond would collide.
    if let Some(latest) = existing.iter().map(|s| s.created_at).max()
        && latest >= created_at
    {
        created_at = latest + 1;
    }
    let record = ClientSecretRecord {
        pool_id: pool_id.to_string(),
        client_id: client_id.to_string(),
        secret_id: cognitod_crypto::client_secret_id(client_id, created_at),
        sealed_secret: svc
            .master_key
            .seal_to_string(secret.as_bytes(), &secret_aad(client_id)),
        created_at,
    };
    svc.store
        .add_client_secret(&record)
        .await
        .map_err(errors::store)?;
    Ok(record)
}

/// The first (oldest) secret of a client, opened.
pub(crate) async fn primary(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
) -> Result<Option<String>, Error> {
    let secrets = list(svc, pool_id, client_id).await?;
    secrets.first().map(|s| open(svc, s)).transpose()
}
