//! Finding the user an admin call names (by username, then by a sign-in alias, then by sub)
//! and saving it back.

use cognitod_model::idp::UserPoolType;
use cognitod_model::{Error, ErrorCode};
use cognitod_store::{StoreError, UserRecord};

use crate::service::UserPools;
use crate::shared::errors;
use crate::shared::identity::PoolIdentity;
use crate::shared::stored::load_pool;

pub(crate) fn user_not_found() -> Error {
    Error::new(ErrorCode::UserNotFoundException, "User does not exist.")
}

/// The user named by `username` (a username, an active alias or a sub), if any.
pub(crate) async fn find_user(
    svc: &UserPools,
    pool_id: &str,
    identity: &PoolIdentity,
    username: &str,
) -> Result<Option<UserRecord>, Error> {
    let store = &svc.store;
    if let Some(user) = store
        .get_user(pool_id, &identity.username_key(username))
        .await
        .map_err(errors::store)?
    {
        return Ok(Some(user));
    }
    // Username attributes and alias attributes are exclusive; alias keys exist only for the
    // kinds the pool uses (and, in alias pools, only once verified).
    let kinds = if identity.uses_username_attributes() {
        &identity.username_attributes
    } else {
        &identity.alias_attributes
    };
    for kind in kinds {
        let key = identity.alias_key(kind, username);
        if let Some(user) = store
            .get_user_by_alias(pool_id, kind, &key)
            .await
            .map_err(errors::store)?
        {
            return Ok(Some(user));
        }
    }
    store
        .get_user_by_sub(pool_id, username)
        .await
        .map_err(errors::store)
}

/// Like [`find_user`], failing with Cognito's UserNotFoundException.
pub(crate) async fn require_user(
    svc: &UserPools,
    pool_id: &str,
    identity: &PoolIdentity,
    username: &str,
) -> Result<UserRecord, Error> {
    find_user(svc, pool_id, identity, username)
        .await?
        .ok_or_else(user_not_found)
}

/// Loads the pool and the user an admin call names.
pub(crate) async fn pool_user(
    svc: &UserPools,
    pool_id: &str,
    username: &str,
) -> Result<(UserPoolType, PoolIdentity, UserRecord), Error> {
    let (_, pool) = load_pool(svc, pool_id).await?;
    let identity = PoolIdentity::of(&pool);
    let user = require_user(svc, pool_id, &identity, username).await?;
    Ok((pool, identity, user))
}

/// Stores a changed user with its recomputed alias keys.
pub(crate) async fn save_user_with_aliases(
    svc: &UserPools,
    identity: &PoolIdentity,
    user: &mut UserRecord,
) -> Result<(), Error> {
    let aliases = identity.alias_keys(&user.attributes);
    match svc.store.update_user(user, Some(&aliases)).await {
        Ok(version) => {
            user.version = version;
            Ok(())
        }
        Err(StoreError::AliasExists { kind }) => Err(identity.alias_conflict(&kind, false)),
        Err(StoreError::NotFound) => Err(user_not_found()),
        Err(other) => Err(errors::store(other)),
    }
}

/// Stores a changed user read earlier; if another request changed it meanwhile, nothing is
/// written and the request is retried from the start (see `errors::store`).
pub(crate) async fn save_user(svc: &UserPools, user: &mut UserRecord) -> Result<(), Error> {
    match svc.store.update_user(user, None).await {
        Ok(version) => {
            user.version = version;
            Ok(())
        }
        Err(StoreError::NotFound) => Err(user_not_found()),
        Err(other) => Err(errors::store(other)),
    }
}
