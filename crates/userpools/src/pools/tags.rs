//! Tags on user pools, kept in the pool configuration's `UserPoolTags`.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};
use cognitod_store::PoolRecord;

use crate::pools::settings::MAX_TAGS;
use crate::pools::store::save_pool;
use crate::service::UserPools;
use crate::shared::errors::invalid_parameter;
use crate::shared::stored::load_pool;

fn not_found(arn: &str) -> Error {
    Error::new(
        ErrorCode::ResourceNotFoundException,
        format!("Resource {arn} does not exist."),
    )
}

/// The pool an ARN names, or ResourceNotFoundException when it names none of this server's.
async fn load(svc: &UserPools, arn: &str) -> Result<(PoolRecord, UserPoolType), Error> {
    // The same reading of the ARN as the protocol layer's authorization.
    let pool_id =
        cognitod_model::user_pool_of_arn(arn, &svc.settings.region, &svc.settings.account_id)
            .ok_or_else(|| not_found(arn))?;
    load_pool(svc, pool_id).await.map_err(|e| match e.code {
        ErrorCode::ResourceNotFoundException => not_found(arn),
        _ => e,
    })
}

/// Tag changes are not configuration changes: LastModifiedDate stays.
async fn save(
    svc: &UserPools,
    record: &PoolRecord,
    mut pool: UserPoolType,
    tags: UserPoolTagsType,
) -> Result<(), Error> {
    if tags.len() > MAX_TAGS {
        return Err(invalid_parameter(format!(
            "A user pool can have at most {MAX_TAGS} tags."
        )));
    }
    pool.user_pool_tags = Some(tags);
    save_pool(svc, record, &pool).await
}

pub(crate) async fn tag_resource(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: TagResourceRequest,
) -> Result<TagResourceResponse, Error> {
    if let Some(key) = input.tags.keys().find(|k| k.starts_with("aws:")) {
        return Err(invalid_parameter(format!(
            "Tag keys starting with aws: are reserved: {key}"
        )));
    }
    let (record, pool) = load(svc, &input.resource_arn).await?;
    let mut tags = pool.user_pool_tags.clone().unwrap_or_default();
    tags.extend(input.tags);
    save(svc, &record, pool, tags).await?;
    Ok(TagResourceResponse {})
}

pub(crate) async fn untag_resource(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: UntagResourceRequest,
) -> Result<UntagResourceResponse, Error> {
    let (record, pool) = load(svc, &input.resource_arn).await?;
    let mut tags = pool.user_pool_tags.clone().unwrap_or_default();
    for key in &input.tag_keys {
        tags.remove(key);
    }
    save(svc, &record, pool, tags).await?;
    Ok(UntagResourceResponse {})
}

pub(crate) async fn list_tags_for_resource(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, Error> {
    let (_, pool) = load(svc, &input.resource_arn).await?;
    Ok(ListTagsForResourceResponse {
        tags: Some(pool.user_pool_tags.unwrap_or_default()),
    })
}
