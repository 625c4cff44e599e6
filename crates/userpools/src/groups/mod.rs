//! Groups and group membership.

#[cfg(test)]
mod tests;

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext, Timestamp};
use cognitod_store::{GroupRecord, StoreError};

use crate::service::UserPools;
use crate::shared::errors::{self, invalid_parameter};
use crate::shared::lookup::pool_user;
use crate::shared::page_token;
use crate::shared::page_token::page_limit;
use crate::shared::stored::load_pool;
use crate::shared::user_view;

/// How many groups one user may belong to.
const MAX_GROUPS_PER_USER: u64 = 100;

fn group_not_found() -> Error {
    Error::new(ErrorCode::ResourceNotFoundException, "Group not found.")
}

fn group_type(record: &GroupRecord) -> GroupType {
    GroupType {
        group_name: Some(record.name.clone()),
        user_pool_id: Some(record.pool_id.clone()),
        description: record.description.clone(),
        role_arn: record.role_arn.clone(),
        precedence: record.precedence,
        last_modified_date: Some(Timestamp::from_millis(record.updated_at)),
        creation_date: Some(Timestamp::from_millis(record.created_at)),
    }
}

async fn require_group(svc: &UserPools, pool_id: &str, name: &str) -> Result<GroupRecord, Error> {
    svc.store
        .get_group(pool_id, name)
        .await
        .map_err(errors::store)?
        .ok_or_else(group_not_found)
}

pub(crate) async fn create_group(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: CreateGroupRequest,
) -> Result<CreateGroupResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    let now = svc.now();
    let record = GroupRecord {
        pool_id: input.user_pool_id,
        name: input.group_name,
        description: input.description,
        role_arn: input.role_arn,
        precedence: input.precedence,
        created_at: now,
        updated_at: now,
    };
    match svc.store.create_group(&record).await {
        Ok(()) => Ok(CreateGroupResponse {
            group: Some(group_type(&record)),
        }),
        Err(StoreError::Conflict(_)) => Err(Error::new(
            ErrorCode::GroupExistsException,
            "A group with the name already exists.",
        )),
        Err(other) => Err(errors::store(other)),
    }
}

pub(crate) async fn get_group(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: GetGroupRequest,
) -> Result<GetGroupResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    let record = require_group(svc, &input.user_pool_id, &input.group_name).await?;
    Ok(GetGroupResponse {
        group: Some(group_type(&record)),
    })
}

pub(crate) async fn update_group(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: UpdateGroupRequest,
) -> Result<UpdateGroupResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    let mut record = require_group(svc, &input.user_pool_id, &input.group_name).await?;
    // Only the members given change.
    if input.description.is_some() {
        record.description = input.description;
    }
    if input.role_arn.is_some() {
        record.role_arn = input.role_arn;
    }
    if input.precedence.is_some() {
        record.precedence = input.precedence;
    }
    record.updated_at = svc.now();
    match svc.store.update_group(&record).await {
        Ok(()) => Ok(UpdateGroupResponse {
            group: Some(group_type(&record)),
        }),
        Err(StoreError::NotFound) => Err(group_not_found()),
        Err(other) => Err(errors::store(other)),
    }
}

pub(crate) async fn delete_group(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DeleteGroupRequest,
) -> Result<(), Error> {
    load_pool(svc, &input.user_pool_id).await?;
    require_group(svc, &input.user_pool_id, &input.group_name).await?;
    match svc
        .store
        .delete_group(&input.user_pool_id, &input.group_name)
        .await
    {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(group_not_found()),
        Err(other) => Err(errors::store(other)),
    }
}

pub(crate) async fn list_groups(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListGroupsRequest,
) -> Result<ListGroupsResponse, Error> {
    let pool_id = input.user_pool_id.as_str();
    load_pool(svc, pool_id).await?;
    let scope = format!("groups|{pool_id}");
    let after = page_token::decode(svc, &scope, input.next_token.as_deref())?;
    let (records, next) = svc
        .store
        .list_groups(pool_id, after.as_deref(), page_limit(input.limit))
        .await
        .map_err(errors::store)?;
    Ok(ListGroupsResponse {
        groups: Some(records.iter().map(group_type).collect()),
        next_token: next.map(|t| page_token::encode(svc, &scope, &t)),
    })
}

pub(crate) async fn admin_add_user_to_group(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminAddUserToGroupRequest,
) -> Result<(), Error> {
    let pool_id = input.user_pool_id.as_str();
    let (_, _, user) = pool_user(svc, pool_id, &input.username).await?;
    require_group(svc, pool_id, &input.group_name).await?;
    let count = svc
        .store
        .count_groups_for_user(pool_id, &user.username_key)
        .await
        .map_err(errors::store)?;
    if count >= MAX_GROUPS_PER_USER {
        // At the limit only a membership the user already has may be added again.
        let (memberships, _) = svc
            .store
            .list_groups_for_user(
                pool_id,
                &user.username_key,
                None,
                MAX_GROUPS_PER_USER as u32,
            )
            .await
            .map_err(errors::store)?;
        if !memberships.iter().any(|g| g.name == input.group_name) {
            // The operation lists no LimitExceededException, so the limit is a bad parameter.
            return Err(invalid_parameter(format!(
                "A user can belong to at most {MAX_GROUPS_PER_USER} groups."
            )));
        }
    }
    svc.store
        .add_user_to_group(pool_id, &user.username_key, &input.group_name)
        .await
        .map_err(errors::store)?;
    Ok(())
}

pub(crate) async fn admin_remove_user_from_group(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminRemoveUserFromGroupRequest,
) -> Result<(), Error> {
    let pool_id = input.user_pool_id.as_str();
    let (_, _, user) = pool_user(svc, pool_id, &input.username).await?;
    require_group(svc, pool_id, &input.group_name).await?;
    match svc
        .store
        .remove_user_from_group(pool_id, &user.username_key, &input.group_name)
        .await
    {
        Ok(_) | Err(StoreError::NotFound) => Ok(()),
        Err(other) => Err(errors::store(other)),
    }
}

pub(crate) async fn admin_list_groups_for_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminListGroupsForUserRequest,
) -> Result<AdminListGroupsForUserResponse, Error> {
    let pool_id = input.user_pool_id.as_str();
    let (_, _, user) = pool_user(svc, pool_id, &input.username).await?;
    let scope = format!("user-groups|{pool_id}|{}", user.username_key);
    let after = page_token::decode(svc, &scope, input.next_token.as_deref())?;
    let (records, next) = svc
        .store
        .list_groups_for_user(
            pool_id,
            &user.username_key,
            after.as_deref(),
            page_limit(input.limit),
        )
        .await
        .map_err(errors::store)?;
    Ok(AdminListGroupsForUserResponse {
        groups: Some(records.iter().map(group_type).collect()),
        next_token: next.map(|t| page_token::encode(svc, &scope, &t)),
    })
}

pub(crate) async fn list_users_in_group(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListUsersInGroupRequest,
) -> Result<ListUsersInGroupResponse, Error> {
    let pool_id = input.user_pool_id.as_str();
    load_pool(svc, pool_id).await?;
    require_group(svc, pool_id, &input.group_name).await?;
    let scope = format!("group-users|{pool_id}|{}", input.group_name);
    let after = page_token::decode(svc, &scope, input.next_token.as_deref())?;
    let (records, next) = svc
        .store
        .list_users_in_group(
            pool_id,
            &input.group_name,
            after.as_deref(),
            page_limit(input.limit),
        )
        .await
        .map_err(errors::store)?;
    let users = records
        .iter()
        .map(|r| user_view::user_type(r, None))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ListUsersInGroupResponse {
        users: Some(users),
        next_token: next.map(|t| page_token::encode(svc, &scope, &t)),
    })
}
