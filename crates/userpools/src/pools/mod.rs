//! User pools: create, describe, update, delete, list and custom attributes here; their
//! settings, MFA configuration, storage and tags in the modules below.

pub(crate) mod mfa;
pub(crate) mod settings;
pub(crate) mod store;
pub(crate) mod tags;
#[cfg(test)]
mod tests;

use cognitod_model::idp::*;
use cognitod_model::{Error, RequestContext, Timestamp};
use cognitod_store::{PoolRecord, StoreError};

use crate::service::UserPools;
use crate::shared::errors::{self, invalid_parameter};
use crate::shared::stored::{load_pool, pool_not_found, to_json};
use crate::{shared::page_token, shared::schema};
use settings::overlay;
use store::{arn, save_pool};

pub(crate) async fn create_user_pool(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: CreateUserPoolRequest,
) -> Result<CreateUserPoolResponse, Error> {
    let aliases = input
        .alias_attributes
        .as_ref()
        .is_some_and(|a| !a.is_empty());
    let usernames = input
        .username_attributes
        .as_ref()
        .is_some_and(|a| !a.is_empty());
    if aliases && usernames {
        return Err(invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let now = svc.now();
    let id = cognitod_crypto::user_pool_id(&svc.settings.region);
    let base = UserPoolType {
        id: Some(id.clone()),
        name: Some(input.pool_name.clone()),
        arn: Some(arn(svc, &id)),
        schema_attributes: Some(schema::build(input.schema.as_deref().unwrap_or_default())?),
        alias_attributes: input.alias_attributes.clone(),
        username_attributes: input.username_attributes.clone(),
        username_configuration: input.username_configuration.clone(),
        user_pool_tags: Some(input.user_pool_tags.clone().unwrap_or_default()),
        user_pool_tier: Some(input.user_pool_tier.unwrap_or(UserPoolTierType::Essentials)),
        creation_date: Some(Timestamp::from_millis(now)),
        last_modified_date: Some(Timestamp::from_millis(now)),
        ..Default::default()
    };
    let mut pool = overlay(&base, &input)?;
    settings::check(&pool, Default::default())?;
    let record = PoolRecord {
        id: id.clone(),
        name: input.pool_name,
        config: to_json(&pool)?,
        created_at: now,
        updated_at: now,
    };
    svc.store
        .create_pool(&record)
        .await
        .map_err(errors::store)?;
    pool.estimated_number_of_users = Some(0);
    Ok(CreateUserPoolResponse {
        user_pool: Some(pool),
    })
}

pub(crate) async fn describe_user_pool(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DescribeUserPoolRequest,
) -> Result<DescribeUserPoolResponse, Error> {
    let (_, mut pool) = load_pool(svc, &input.user_pool_id).await?;
    let users = svc
        .store
        .count_users(&input.user_pool_id)
        .await
        .map_err(errors::store)?;
    pool.estimated_number_of_users = Some(i32::try_from(users).unwrap_or(i32::MAX));
    Ok(DescribeUserPoolResponse {
        user_pool: Some(pool),
    })
}

pub(crate) async fn update_user_pool(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: UpdateUserPoolRequest,
) -> Result<UpdateUserPoolResponse, Error> {
    let (record, current) = load_pool(svc, &input.user_pool_id).await?;
    let mut pool = overlay(&current, &input)?;
    if let Some(name) = &input.pool_name {
        pool.name = Some(name.clone());
    }
    if let Some(tags) = &input.user_pool_tags {
        pool.user_pool_tags = Some(tags.clone());
    }
    if let Some(tier) = input.user_pool_tier {
        pool.user_pool_tier = Some(tier);
    }
    settings::check(&pool, mfa::enabled_factors(&record))?;
    pool.last_modified_date = Some(Timestamp::from_millis(svc.now()));
    save_pool(svc, &record, &pool).await?;
    Ok(UpdateUserPoolResponse {})
}

pub(crate) async fn delete_user_pool(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DeleteUserPoolRequest,
) -> Result<(), Error> {
    let (_, pool) = load_pool(svc, &input.user_pool_id).await?;
    if pool.deletion_protection == Some(DeletionProtectionType::Active) {
        return Err(invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated. \
             Deletion protection must be inactivated first.",
        ));
    }
    let deleted = match svc.store.delete_pool(&input.user_pool_id).await {
        Err(StoreError::NotFound) => Err(pool_not_found(&input.user_pool_id)),
        other => other.map_err(errors::store),
    };
    // Its tokens stop here at once; other nodes drop the keys within their cache bound (and
    // find no user for the tokens meanwhile).
    svc.keys.forget(&input.user_pool_id);
    deleted
}

/// The listing ListUserPools' tokens are bound to.
const POOLS_SCOPE: &str = "pools";

pub(crate) async fn list_user_pools(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListUserPoolsRequest,
) -> Result<ListUserPoolsResponse, Error> {
    let limit = u32::try_from(input.max_results.clamp(1, 60)).unwrap_or(60);
    let after = page_token::decode(svc, POOLS_SCOPE, input.next_token.as_deref())?;
    let (records, next) = svc
        .store
        .list_pools(after.as_deref(), limit)
        .await
        .map_err(errors::store)?;
    let mut pools = Vec::with_capacity(records.len());
    for record in records {
        let pool: UserPoolType = serde_json::from_value(record.config).map_err(errors::internal)?;
        pools.push(UserPoolDescriptionType {
            id: pool.id,
            name: pool.name,
            lambda_config: Some(pool.lambda_config.unwrap_or_default()),
            status: None,
            last_modified_date: pool.last_modified_date,
            creation_date: pool.creation_date,
            replica_regions: None,
        });
    }
    Ok(ListUserPoolsResponse {
        user_pools: Some(pools),
        next_token: next.map(|t| page_token::encode(svc, POOLS_SCOPE, &t)),
    })
}

pub(crate) async fn add_custom_attributes(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AddCustomAttributesRequest,
) -> Result<AddCustomAttributesResponse, Error> {
    let (record, mut pool) = load_pool(svc, &input.user_pool_id).await?;
    let mut schema = pool.schema_attributes.take().unwrap_or_default();
    schema::add_custom(&mut schema, &input.custom_attributes)?;
    pool.schema_attributes = Some(schema);
    pool.last_modified_date = Some(Timestamp::from_millis(svc.now()));
    save_pool(svc, &record, &pool).await?;
    Ok(AddCustomAttributesResponse {})
}
