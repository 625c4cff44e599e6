//! How pools and clients are kept in the store, and loading them back.
//!
//! A pool's configuration is stored as the JSON of the model's `UserPoolType` (exactly what
//! DescribeUserPool returns, minus the volatile `EstimatedNumberOfUsers`), and an app client's
//! as the JSON of `UserPoolClientType` without its secret (secrets are sealed in their own
//! records). Every family reads configuration through these functions.

use cognitod_model::idp::{UserPoolClientType, UserPoolType};
use cognitod_model::{Error, ErrorCode};
use cognitod_store::{ClientRecord, PoolRecord};

use crate::service::UserPools;
use crate::shared::errors;

pub(crate) fn pool_not_found(pool_id: &str) -> Error {
    Error::new(
        ErrorCode::ResourceNotFoundException,
        format!("User pool {pool_id} does not exist."),
    )
}

pub(crate) fn client_not_found(client_id: &str) -> Error {
    Error::new(
        ErrorCode::ResourceNotFoundException,
        format!("User pool client {client_id} does not exist."),
    )
}

/// Loads a pool's record and its configuration, or Cognito's not-found error.
pub(crate) async fn load_pool(
    svc: &UserPools,
    pool_id: &str,
) -> Result<(PoolRecord, UserPoolType), Error> {
    let record = svc
        .store
        .get_pool(pool_id)
        .await
        .map_err(errors::store)?
        .ok_or_else(|| pool_not_found(pool_id))?;
    let config = serde_json::from_value(record.config.clone()).map_err(errors::internal)?;
    Ok((record, config))
}

/// Loads an app client's record and configuration (without its secret).
pub(crate) async fn load_client(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
) -> Result<(ClientRecord, UserPoolClientType), Error> {
    let record = svc
        .store
        .get_client(pool_id, client_id)
        .await
        .map_err(errors::store)?
        .ok_or_else(|| client_not_found(client_id))?;
    let config = serde_json::from_value(record.config.clone()).map_err(errors::internal)?;
    Ok((record, config))
}

/// Serialises a configuration for storage.
pub(crate) fn to_json<T: serde::Serialize>(config: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(config).map_err(errors::internal)
}
