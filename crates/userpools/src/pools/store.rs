//! Writing a pool's configuration back to the store.
//!
//! The stored JSON is the `UserPoolType` DescribeUserPool returns, plus settings it has no
//! member for under keys starting with [`EXTRA_PREFIX`]. Deserialising into `UserPoolType`
//! ignores those keys, so every writer must carry them over: [`save_pool`] does.

use cognitod_model::Error;
use cognitod_model::idp::UserPoolType;
use cognitod_store::{PoolRecord, StoreError};

use crate::service::UserPools;
use crate::shared::errors;
use crate::shared::stored::{pool_not_found, to_json};

/// Prefix of the keys kept beside the `UserPoolType` members in a pool's stored JSON.
pub(crate) const EXTRA_PREFIX: &str = "cognitod:";

/// The ARN of a user pool of this server.
pub(crate) fn arn(svc: &UserPools, pool_id: &str) -> String {
    format!("{}{pool_id}", arn_prefix(svc))
}

/// `arn:aws:cognito-idp:<region>:<account>:userpool/`.
fn arn_prefix(svc: &UserPools) -> String {
    format!(
        "arn:aws:cognito-idp:{}:{}:userpool/",
        svc.settings.region, svc.settings.account_id
    )
}

/// The stored JSON of `pool` with the extra settings of `record` carried over.
pub(crate) fn pool_json(
    record: &PoolRecord,
    pool: &UserPoolType,
) -> Result<serde_json::Value, Error> {
    let mut config = to_json(pool)?;
    if let (Some(target), Some(source)) = (config.as_object_mut(), record.config.as_object()) {
        for (key, value) in source {
            if key.starts_with(EXTRA_PREFIX) {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(config)
}

/// Replaces a pool's configuration, keeping the extra settings of `record`.
pub(crate) async fn save_pool(
    svc: &UserPools,
    record: &PoolRecord,
    pool: &UserPoolType,
) -> Result<(), Error> {
    let updated = PoolRecord {
        id: record.id.clone(),
        name: pool.name.clone().unwrap_or_else(|| record.name.clone()),
        config: pool_json(record, pool)?,
        created_at: record.created_at,
        updated_at: pool
            .last_modified_date
            .map(|t| t.millis())
            .unwrap_or(record.updated_at),
    };
    match svc.store.update_pool(&updated).await {
        Err(StoreError::NotFound) => Err(pool_not_found(&record.id)),
        other => other.map_err(errors::store),
    }
}
