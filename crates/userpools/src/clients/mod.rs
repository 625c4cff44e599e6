//! App clients: create, describe, update, delete and list here; their settings and checks in
//! `settings`, their secrets in `secrets`.
//!
//! A client's configuration is stored as `UserPoolClientType` without its secret.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext, Timestamp};
use cognitod_store::{ClientRecord, StoreError};

pub(crate) mod secrets;
pub(crate) mod settings;
#[cfg(test)]
mod tests;

use crate::service::UserPools;
use crate::shared::errors::{self, invalid_parameter};
use crate::shared::stored::{client_not_found, load_client, load_pool, to_json};
use crate::shared::{client_secrets, page_token};
use settings::{ClientContext, settle};

/// Most app clients one pool may have.
const MAX_CLIENTS: u64 = 1_000;

pub(crate) async fn create_user_pool_client(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: CreateUserPoolClientRequest,
) -> Result<CreateUserPoolClientResponse, Error> {
    let (_, pool) = load_pool(svc, &input.user_pool_id).await?;
    if input.generate_secret == Some(true) && input.client_secret.is_some() {
        return Err(invalid_parameter(
            "You cannot specify both GenerateSecret as true and a ClientSecret.",
        ));
    }
    let secret = match (input.generate_secret, &input.client_secret) {
        (_, Some(given)) => Some(given.clone()),
        (Some(true), None) => Some(cognitod_crypto::client_secret()),
        _ => None,
    };
    let now = svc.now();
    let client_id = cognitod_crypto::client_id();
    let base = UserPoolClientType {
        user_pool_id: Some(input.user_pool_id.clone()),
        client_name: Some(input.client_name.clone()),
        client_id: Some(client_id.clone()),
        client_type: Some(ClientTypeType::Regular),
        last_modified_date: Some(Timestamp::from_millis(now)),
        creation_date: Some(Timestamp::from_millis(now)),
        ..Default::default()
    };
    let ctx = ClientContext {
        pool_id: &input.user_pool_id,
        pool: &pool,
        has_secret: secret.is_some(),
        action: "creating",
    };
    let mut client = settle(base, &input, &ctx)?;
    let count = svc
        .store
        .count_clients(&input.user_pool_id)
        .await
        .map_err(errors::store)?;
    if count >= MAX_CLIENTS {
        return Err(Error::new(
            ErrorCode::LimitExceededException,
            format!("A user pool can have at most {MAX_CLIENTS} app clients."),
        ));
    }
    let record = ClientRecord {
        pool_id: input.user_pool_id.clone(),
        client_id: client_id.clone(),
        name: input.client_name.clone(),
        config: to_json(&client)?,
        created_at: now,
        updated_at: now,
    };
    svc.store
        .create_client(&record)
        .await
        .map_err(errors::store)?;
    if let Some(secret) = &secret
        && let Err(e) =
            client_secrets::store(svc, &input.user_pool_id, &client_id, secret, &[]).await
    {
        // Do not leave a confidential client without its secret.
        let _ = svc
            .store
            .delete_client(&input.user_pool_id, &client_id)
            .await;
        return Err(e);
    }
    // A pool's first client may be one without SRP.
    if !crate::auth::app_client::client_allows(&client, crate::auth::app_client::Flow::UserSrp) {
        crate::auth::srp_verifiers::after_client_change(svc, &input.user_pool_id).await?;
    }
    client.client_secret = secret;
    Ok(CreateUserPoolClientResponse {
        user_pool_client: Some(client),
    })
}

pub(crate) async fn describe_user_pool_client(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DescribeUserPoolClientRequest,
) -> Result<DescribeUserPoolClientResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    let (_, mut client) = load_client(svc, &input.user_pool_id, &input.client_id).await?;
    client.client_secret =
        client_secrets::primary(svc, &input.user_pool_id, &input.client_id).await?;
    Ok(DescribeUserPoolClientResponse {
        user_pool_client: Some(client),
    })
}

pub(crate) async fn update_user_pool_client(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: UpdateUserPoolClientRequest,
) -> Result<UpdateUserPoolClientResponse, Error> {
    let (_, pool) = load_pool(svc, &input.user_pool_id).await?;
    let (record, current) = load_client(svc, &input.user_pool_id, &input.client_id).await?;
    let secret = client_secrets::primary(svc, &input.user_pool_id, &input.client_id).await?;
    let now = svc.now();
    let base = UserPoolClientType {
        user_pool_id: current.user_pool_id,
        client_id: current.client_id,
        client_name: input.client_name.clone().or(current.client_name),
        client_type: current.client_type,
        creation_date: current.creation_date,
        last_modified_date: Some(Timestamp::from_millis(now)),
        ..Default::default()
    };
    let ctx = ClientContext {
        pool_id: &input.user_pool_id,
        pool: &pool,
        has_secret: secret.is_some(),
        action: "updating",
    };
    let mut client = settle(base, &input, &ctx)?;
    let updated = ClientRecord {
        name: client.client_name.clone().unwrap_or_default(),
        config: to_json(&client)?,
        updated_at: now,
        ..record
    };
    match svc.store.update_client(&updated).await {
        Err(StoreError::NotFound) => return Err(client_not_found(&input.client_id)),
        other => other.map_err(errors::store)?,
    }
    crate::auth::srp_verifiers::after_client_change(svc, &input.user_pool_id).await?;
    client.client_secret = secret;
    Ok(UpdateUserPoolClientResponse {
        user_pool_client: Some(client),
    })
}

pub(crate) async fn delete_user_pool_client(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DeleteUserPoolClientRequest,
) -> Result<(), Error> {
    load_pool(svc, &input.user_pool_id).await?;
    match svc
        .store
        .delete_client(&input.user_pool_id, &input.client_id)
        .await
    {
        Err(StoreError::NotFound) => return Err(client_not_found(&input.client_id)),
        other => other.map_err(errors::store)?,
    }
    crate::auth::srp_verifiers::after_client_change(svc, &input.user_pool_id).await
}

pub(crate) async fn list_user_pool_clients(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListUserPoolClientsRequest,
) -> Result<ListUserPoolClientsResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    let limit = u32::try_from(input.max_results.unwrap_or(60).clamp(1, 60)).unwrap_or(60);
    let scope = format!("clients|{}", input.user_pool_id);
    let after = page_token::decode(svc, &scope, input.next_token.as_deref())?;
    let (records, next) = svc
        .store
        .list_clients(&input.user_pool_id, after.as_deref(), limit)
        .await
        .map_err(errors::store)?;
    // Every client is REGULAR here: none come from dynamic client registration.
    let wanted = input
        .client_type
        .is_none_or(|t| t == ClientTypeType::Regular);
    let clients = records
        .into_iter()
        .filter(|_| wanted)
        .map(|r| UserPoolClientDescription {
            client_id: Some(r.client_id),
            user_pool_id: Some(r.pool_id),
            client_name: Some(r.name),
        })
        .collect();
    Ok(ListUserPoolClientsResponse {
        user_pool_clients: Some(clients),
        next_token: next.map(|t| page_token::encode(svc, &scope, &t)),
    })
}
